// JMESPath expressions that exhausted the heap (or came close) before evaluation was bounded.

/** 36 characters: a 400-million character string, then an array of its code points (Node died after 12 s, 2 GB). */
export const PAD_BOMB = "length(pad_left('x', `400000000`))";
/** 184 characters: eight tenfold flattenings of the document, 10^8 elements (50 s and 3 GB before). */
export const FLATTEN_BOMB = '[@,@,@,@,@,@,@,@,@,@][]'.repeat(8);
/** Ten 400-million character strings in one projection. */
export const PROJECTION_BOMB = "[@,@,@,@,@,@,@,@,@,@][*].length(pad_left('x', `400000000`))";
/** A few small arrays that repeat each other: 2^22 copies of the document once serialised. */
export const SHARING_BOMB =
  'let $a = [@,@] in ' +
  Array.from(
    { length: 21 },
    (_, i) =>
      `let $${String.fromCharCode(98 + i)} = [$${String.fromCharCode(97 + i)},$${String.fromCharCode(97 + i)}] in `,
  ).join('') +
  'to_string($v)';
