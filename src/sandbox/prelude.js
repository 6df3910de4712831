// @ts-check
/*
 * The guest side of the sandbox: code evaluated once in every QuickJS context before any reducer.
 *
 * It installs `TextDecoder`/`TextEncoder` (QuickJS has neither), freezes the clock and the random
 * generator so that reductions are deterministic, removes the weak references whose behaviour
 * depends on garbage collection, and evaluates to an object of driver functions that only the host
 * holds (nothing of it is reachable from the global object):
 *
 * - `configure(stackText, maxDepth, maxChars)`: the stack limit as error messages show it, and the
 *   limits of a state (nesting depth, characters of its JSON text);
 * - `lockdown()`: freezes every built-in object and the global object's own properties (reducer
 *   contexts only), so that what one item's reducers change can be undone before the next item;
 * - `define(path, outer, error)`: registers a file that `require()` may load (compiled by the host);
 * - `addReducer(file, dir, outer)`: instantiates a reducer once to check it; returns `''` or the error;
 * - `reduceItem(id, stateJson, meta, buf, known, checkedFrom, stopBefore)`: one pass over an item's
 *   records in a fresh environment (see below);
 * - `setProbe(fn)`: `fn(record, reducer, stateJson)` is called before every reducer call (or `null`);
 * - `progress()`: `record \t reducer` of the record being reduced (after a limit hit);
 * - `abandon()`: undoes what the item changed after a pass that a limit stopped (`!` if it cannot);
 * - `runScript(outer, hostCall, names, argsJson, load)`: runs one module script (see `script.ts`);
 *   its `require()` asks `load(path)` for the files beside it.
 *
 * A fresh environment for every item: the built-in objects are frozen (`lockdown`), properties an
 * item's reducers add to the global object are deleted after it, and every reducer file (and every
 * file it requires) is evaluated again for each item, so that its top-level variables start over.
 *
 * The state flows from record to record as the object the reducers returned; it becomes JSON only
 * at the end of the item. A record whose reducer throws (or returns something that is not a plain
 * object) is discarded: the state goes back to a copy of what it was before that record. As that
 * copy exists only if it was taken beforehand, `reduceItem` works in passes that the host drives:
 * a pass copies the state (as JSON) before the records listed in `known` and before every record
 * from `checkedFrom` on; a record that fails without a copy ends the pass with the answer
 * `?<record>`, and the host runs the item again, copying before that record too. Items whose
 * records all apply, the common case, take one pass and no copy. The answer is the state's JSON,
 * prefixed with `!` when the global object could not be restored (the host then rebuilds the runtime).
 *
 * `meta` and `buf` are made by `pack.ts`: `meta` lists, tab-separated, each record's hash, file count and
 * file names (a backslash, tab or newline inside one escaped as `\\`, `\t`, `\n`); `buf` holds the file
 * count, the file lengths (Uint32) and then the files' bytes.
 */
//
// Everything above the line `(function (global) {` is this file's own and is not evaluated. Below
// it, the lines between `//#region NAME` and `//#endregion` belong to one prelude only (the marker
// lines themselves belong to none): `reducers` and `reducer-driver` to the reducer contexts'
// prelude, `script-driver` to the module scripts' (see prelude.ts). Lines that are type-checking
// directives (`// @ts-…`) are not evaluated either. `npm run typecheck` checks this file as the
// guest sees it (tsconfig.prelude.json: modern built-ins, no Node, no DOM).
(function (global) {
'use strict';
var JSONparse = JSON.parse, JSONstringify = JSON.stringify, objectKeys = Object.keys;
var isArray = Array.isArray, getPrototypeOf = Object.getPrototypeOf, defineProperty = Object.defineProperty;
var hasOwn = Object.prototype.hasOwnProperty, ObjectProto = Object.prototype, toStringTag = Object.prototype.toString, Str = String;
var U8 = Uint8Array, U32 = Uint32Array, ABuf = ArrayBuffer, isView = ArrayBuffer.isView, fromCharCode = String.fromCharCode;
var InternalErr = typeof InternalError === 'function' ? InternalError : null;
var FFFD = 0xFFFD;

// ---- determinism: no clock, no entropy, no garbage-collector observation ----
var FIXED_TIME = 0;
var RealDate = Date;
function SitDate() {
  if (!new.target) return new RealDate(FIXED_TIME).toString();
  var args = arguments.length === 0 ? [FIXED_TIME] : arguments;
  return Reflect.construct(RealDate, args, new.target);
}
SitDate.prototype = RealDate.prototype;
defineProperty(RealDate.prototype, 'constructor', { value: SitDate, writable: true, configurable: true });
SitDate.now = function now() { return FIXED_TIME; };
SitDate.parse = RealDate.parse;
SitDate.UTC = RealDate.UTC;
// @ts-expect-error SitDate has Date's statics but not its exact type
global.Date = SitDate;
var seed = 0x9E3779B9;
function resetRandom() { seed = 0x9E3779B9; }
Math.random = function random() {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
delete global.WeakRef;
delete global.FinalizationRegistry;

// ---- TextDecoder / TextEncoder (UTF-8 only, WHATWG behaviour) ----
function bytesOf(input) {
  if (input === undefined) return new U8(0);
  if (input instanceof ABuf || (typeof SharedArrayBuffer === 'function' && input instanceof SharedArrayBuffer)) return new U8(input);
  if (isView(input)) return new U8(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('The "input" argument must be an ArrayBuffer or an ArrayBufferView');
}
function binaryString(u8, start, end) {
  var s = '';
  for (var i = start; i < end; i += 8192) s += fromCharCode.apply(null, u8.subarray(i, Math.min(end, i + 8192)));
  return s;
}
function codesToString(codes) {
  var s = '';
  for (var i = 0; i < codes.length; i += 8192) s += fromCharCode.apply(null, codes.slice(i, i + 8192));
  return s;
}
// The WHATWG UTF-8 decoder. Returns [text, consumed]: when 'stream' is set, an incomplete sequence
// at the end is left unconsumed.
function decodeUtf8(u8, fatal, stream) {
  var out = [], needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xBF, start = 0, n = u8.length;
  for (var i = 0; i < n; i++) {
    var b = u8[i];
    if (needed === 0) {
      if (b <= 0x7F) { out.push(b); continue; }
      start = i;
      if (b >= 0xC2 && b <= 0xDF) { needed = 1; cp = b & 0x1F; }
      else if (b >= 0xE0 && b <= 0xEF) { if (b === 0xE0) lower = 0xA0; if (b === 0xED) upper = 0x9F; needed = 2; cp = b & 0xF; }
      else if (b >= 0xF0 && b <= 0xF4) { if (b === 0xF0) lower = 0x90; if (b === 0xF4) upper = 0x8F; needed = 3; cp = b & 0x7; }
      else { if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8'); out.push(FFFD); }
      continue;
    }
    if (b < lower || b > upper) {
      needed = seen = cp = 0; lower = 0x80; upper = 0xBF;
      if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8');
      out.push(FFFD);
      i--;
      continue;
    }
    lower = 0x80; upper = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
    if (++seen === needed) {
      if (cp > 0xFFFF) { cp -= 0x10000; out.push(0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)); }
      else out.push(cp);
      needed = seen = cp = 0;
    }
  }
  if (needed !== 0) {
    if (stream) return [codesToString(out), start];
    if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8');
    out.push(FFFD);
  }
  return [codesToString(out), n];
}
var NON_ASCII = /[\x80-\xff]/;
// A decoder's settings and streaming state live in hidden own properties, made only when they
// differ from the defaults on the prototype: constructing the common decoder costs no more than a call.
function setHidden(obj, name, value) {
  if (hasOwn.call(obj, name)) obj[name] = value;
  else defineProperty(obj, name, { value: value, writable: true });
}
function TextDecoder(label, options) {
  if (!new.target) throw new TypeError("Class constructor TextDecoder cannot be invoked without 'new'");
  if (label !== undefined && label !== 'utf-8') {
    var name = Str(label).trim().toLowerCase();
    if (name !== 'utf-8' && name !== 'utf8' && name !== 'unicode-1-1-utf-8') {
      throw new RangeError('The "' + Str(label) + '" encoding is not supported');
    }
  }
  if (options) {
    if (options.fatal) defineProperty(this, '_fatal', { value: true });
    if (options.ignoreBOM) defineProperty(this, '_ignoreBOM', { value: true });
  }
}
TextDecoder.prototype = {
  constructor: TextDecoder,
  get encoding() { return 'utf-8'; },
  get fatal() { return this._fatal; },
  get ignoreBOM() { return this._ignoreBOM; },
  decode: function decode(input, options) {
    var stream = options !== undefined && options !== null && !!options.stream, text;
    if (!stream && this._pending === null) {
      var bytes = input instanceof U8 ? input : bytesOf(input);
      text = bytes.length <= 8192 ? fromCharCode.apply(null, bytes) : binaryString(bytes, 0, bytes.length);
      if (NON_ASCII.test(text)) {
        try { text = decodeURIComponent(escape(text)); }
        catch (e) { text = decodeUtf8(bytes, this._fatal, false)[0]; }
        if (!this._started && !this._ignoreBOM && text.charCodeAt(0) === 0xFEFF) text = text.slice(1);
      }
      if (this._started) this._started = false;
      return text;
    }
    var u8 = bytesOf(input);
    if (this._pending !== null) {
      var joined = new U8(this._pending.length + u8.length);
      joined.set(this._pending, 0); joined.set(u8, this._pending.length);
      u8 = joined; this._pending = null;
    }
    var r = decodeUtf8(u8, this._fatal, stream);
    text = r[0];
    if (r[1] < u8.length) setHidden(this, '_pending', u8.slice(r[1]));
    if (!this._started && !this._ignoreBOM && text.charCodeAt(0) === 0xFEFF) text = text.slice(1);
    var started = stream && (this._started || text.length > 0 || this._pending !== null);
    if (started !== this._started) setHidden(this, '_started', started);
    return text;
  }
};
function encodeSlow(s) {
  var out = [];
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
      var d = s.charCodeAt(i + 1);
      if (d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); i++; }
    }
    if (c >= 0xD800 && c <= 0xDFFF) c = FFFD;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xC0 | (c >> 6), 0x80 | (c & 0x3F));
    else if (c < 0x10000) out.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
    else out.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
  }
  return new U8(out);
}
function TextEncoder() {
  if (!new.target) throw new TypeError("Class constructor TextEncoder cannot be invoked without 'new'");
}
TextEncoder.prototype = {
  constructor: TextEncoder,
  get encoding() { return 'utf-8'; },
  encode: function encode(input) {
    var s = input === undefined ? '' : Str(input), bin;
    try { bin = unescape(encodeURIComponent(s)); } catch (e) { return encodeSlow(s); }
    var out = new U8(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  },
  encodeInto: function encodeInto(input, dest) {
    var s = Str(input), read = 0, written = 0;
    while (read < s.length) {
      var step = s.charCodeAt(read) >= 0xD800 && s.charCodeAt(read) <= 0xDBFF && read + 1 < s.length &&
        s.charCodeAt(read + 1) >= 0xDC00 && s.charCodeAt(read + 1) <= 0xDFFF ? 2 : 1;
      var bytes = encodeSlow(s.substr(read, step));
      if (written + bytes.length > dest.length) break;
      dest.set(bytes, written); written += bytes.length; read += step;
    }
    return { read: read, written: written };
  }
};
defineProperty(TextDecoder.prototype, '_fatal', { value: false });
defineProperty(TextDecoder.prototype, '_ignoreBOM', { value: false });
defineProperty(TextDecoder.prototype, '_pending', { value: null });
defineProperty(TextDecoder.prototype, '_started', { value: false });
defineProperty(global, 'TextDecoder', { value: TextDecoder, writable: true, configurable: true });
defineProperty(global, 'TextEncoder', { value: TextEncoder, writable: true, configurable: true });


function sortKeys(key, value) {
  if (value === null || typeof value !== 'object' || isArray(value)) return value;
  var keys = objectKeys(value), n = keys.length, i;
  for (i = 1; i < n; i++) if (!(keys[i - 1] < keys[i])) break;
  if (i >= n) return value;
  keys.sort();
  var out = {};
  for (i = 0; i < n; i++) {
    var k = keys[i];
    if (k === '__proto__') defineProperty(out, k, { value: value[k], enumerable: true, writable: true, configurable: true });
    else out[k] = value[k];
  }
  return out;
}
// The path segments of require(id) from a file in directory `base` (segments below the module's
// root): '.' and '..' resolved, anything else refused. `outside(id)` makes the error for an id whose
// '..' leads out of the root (default: the same TypeError as any other id that cannot resolve).
function resolveId(id, base, outside) {
  if (typeof id !== 'string' || id === '' || id.charAt(0) === '/') throw new TypeError('cannot resolve module id: ' + Str(id));
  var out = base.slice(), parts = id.split('/');
  for (var i = 0; i < parts.length; i++) {
    var p = parts[i];
    if (p === '.') continue;
    if (p === '' ) throw new TypeError('cannot resolve module id: ' + id);
    if (p === '..') {
      if (out.length === 0) throw outside === undefined ? new TypeError('cannot resolve module id: ' + id) : outside(id);
      out.pop();
      continue;
    }
    out.push(p);
  }
  if (out.length === 0) throw new TypeError('cannot resolve module id: ' + id);
  return out;
}
//#region reducers
// ---- require() ----
var reflectApply = Reflect.apply, ownKeys = Reflect.ownKeys, deleteProperty = Reflect.deleteProperty;
var getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor, freeze = Object.freeze, isExtensible = Object.isExtensible;
var setPrototypeOf = Object.setPrototypeOf, objectCreate = Object.create;
var files = objectCreate(null);   // absolute path -> { outer, error }
var loaded = objectCreate(null);  // absolute path -> module (for the item being reduced)
function define(path, outer, error) { files[path] = { outer: outer, error: error }; }
function makeRequire(from, root) {
  var base = from.indexOf(root + '/') === 0 ? from.slice(root.length + 1).split('/').slice(0, -1) : [];
  return function require(id) {
    var path = root + '/' + resolveId(id, base).join('/');
    var found = path in files ? path : (path + '.js') in files ? path + '.js' : (path + '/index.js') in files ? path + '/index.js' : null;
    if (found === null) throw new Error('module not found: ' + JSONstringify(Str(id)));
    var cached = loaded[found];
    if (cached) return cached.exports;
    var entry = files[found];
    if (entry.error !== undefined) throw entry.error;
    var module = { exports: {} };
    loaded[found] = module;
    // A new function object for every item: nothing can be kept on it from one item to the next.
    try { reflectApply(entry.outer(), module.exports, [module.exports, makeRequire(found, root), module]); }
    catch (e) { delete loaded[found]; throw e; }
    return module.exports;
  };
}

// ---- a fresh environment for every item ----
// lockdown() freezes every built-in object reachable from the global object (and the few reachable
// only through syntax), so that no reducer can change them. Assigning a property that a frozen
// prototype also has (the "override mistake": Child.prototype.constructor = Child with an Error
// parent, a toString on a prototype) would fail on the inherited read-only property; for the names
// code commonly assigns, the frozen prototypes hold accessors whose setter defines the property
// on the object assigned to instead. The global object stays extensible (sloppy code creates
// globals by assignment) but its own properties are made read-only; whatever an item adds to it is
// deleted after the item (restoreGlobals). eval runs its code in strict mode, so that it cannot
// declare global let/const bindings, which nothing could remove.
var TAMED = ['constructor', 'toString', 'toLocaleString', 'valueOf', 'name', 'message', Symbol.toStringTag];
var baselineKeys = null, baselineCount = 0, globalProto = null;
function tame(object, key) {
  var desc = getOwnPropertyDescriptor(object, key);
  if (desc === undefined || !('value' in desc) || !desc.configurable) return;
  var value = desc.value;
  defineProperty(object, key, {
    get: function () { return value; },
    set: function (v) {
      if (this === object) throw new TypeError('cannot assign to read only property ' + Str(key) + ' of a built-in object');
      if (hasOwn.call(this, key)) this[key] = v;
      else defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: desc.enumerable,
    configurable: false
  });
}
function lockdown() {
  var realEval = global.eval;
  var strictEval = function (source) { return typeof source === 'string' ? realEval('"use strict";' + source) : source; };
  defineProperty(strictEval, 'name', { value: 'eval' });
  defineProperty(global, 'eval', { value: strictEval, writable: true, configurable: true });
  var seen = new Set(), objects = [];
  function visit(o) {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
    seen.add(o);
    objects.push(o);
    var keys = ownKeys(o);
    for (var i = 0; i < keys.length; i++) {
      var d = getOwnPropertyDescriptor(o, keys[i]);
      if (d === undefined) continue;
      if ('value' in d) visit(d.value);
      else { visit(d.get); visit(d.set); }
    }
    visit(getPrototypeOf(o));
  }
  // The global object is not frozen itself; what it refers to is.
  seen.add(global);
  var roots = ownKeys(global);
  for (var i = 0; i < roots.length; i++) {
    var d = getOwnPropertyDescriptor(global, roots[i]);
    if (d !== undefined && 'value' in d) visit(d.value);
  }
  visit(getPrototypeOf(global));
  // Built-in objects reachable only through syntax or through the objects that syntax creates.
  var hidden = [
    function () { return function* () {}; }, function () { return async function () {}; },
    function () { return async function* () {}; }, function () { return (function* () {})(); },
    function () { return (async function* () {})(); }, function () { return [][Symbol.iterator](); },
    function () { return ''[Symbol.iterator](); }, function () { return new Map()[Symbol.iterator](); },
    function () { return new Set()[Symbol.iterator](); }, function () { return /a/g[Symbol.matchAll]('a'); },
    function () { return [].values().map(function (x) { return x; }); },
    // @ts-expect-error a minimal iterator: the result needs no value
    function () { return Iterator.from({ next: function () { return { done: true }; } }); },
    function () { return (function () { 'use strict'; return arguments; })(); }
  ];
  for (i = 0; i < hidden.length; i++) {
    var h;
    try { h = hidden[i](); } catch (e) { continue; }
    visit(getPrototypeOf(h));
    var callee = getOwnPropertyDescriptor(h, 'callee');
    if (callee !== undefined) { visit(callee.get); visit(callee.set); }
  }
  var functionProto = getPrototypeOf(visit);
  for (i = 0; i < objects.length; i++) {
    var o = objects[i];
    if (typeof o === 'function' && o !== functionProto) continue;
    for (var t = 0; t < TAMED.length; t++) tame(o, TAMED[t]);
  }
  for (i = 0; i < objects.length; i++) freeze(objects[i]);
  var keys = ownKeys(global);
  for (i = 0; i < keys.length; i++) {
    var gd = getOwnPropertyDescriptor(global, keys[i]);
    if (gd === undefined || !gd.configurable) continue;
    if ('value' in gd) defineProperty(global, keys[i], { writable: false, configurable: false });
    else defineProperty(global, keys[i], { configurable: false });
  }
  var after = ownKeys(global);
  baselineKeys = new Set(after);
  baselineCount = after.length;
  globalProto = getPrototypeOf(global);
}
// Deletes what an item added to the global object; false when that is impossible (a property
// defined non-configurable, the global object made non-extensible): the runtime must be rebuilt.
function restoreGlobals() {
  if (baselineKeys === null) return true;
  if (isExtensible(global) && getPrototypeOf(global) === globalProto && ownKeys(global).length === baselineCount) return true;
  if (!isExtensible(global)) return false;
  try { if (getPrototypeOf(global) !== globalProto) setPrototypeOf(global, globalProto); } catch (e) { return false; }
  var keys = ownKeys(global);
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i];
    if (baselineKeys.has(k)) continue;
    if (!deleteProperty(global, k)) return false;
  }
  return ownKeys(global).length === baselineCount;
}

// ---- reducers ----
var reducerFiles = [], reducerDirs = [], reducerOuters = [], reducerFns = [], thisObjs = [];
function errorString(e) {
  try { return Str(e); } catch (e2) {
    try { return toStringTag.call(e); } catch (e3) { return 'Error: unprintable value'; }
  }
}
// Evaluates a reducer file in the current environment; returns its function, or an error message.
function instantiate(i) {
  var module = { exports: {} };
  try { reflectApply(reducerOuters[i](makeRequire(reducerFiles[i], reducerDirs[i])), global, [module]); }
  catch (e) { if (isLimit(e)) throw e; return errorString(e); }
  if (typeof module.exports !== 'function') return 'module.exports should export a function';
  return module.exports;
}
function addReducer(file, dir, outer) {
  var i = reducerFiles.length;
  reducerFiles.push(file); reducerDirs.push(dir); reducerOuters.push(outer);
  loaded = objectCreate(null);
  var fn = instantiate(i);
  loaded = objectCreate(null);
  if (!restoreGlobals()) fn = 'it changed the global object in a way that cannot be undone (a property that cannot be deleted)';
  if (typeof fn !== 'function') { reducerFiles.pop(); reducerDirs.pop(); reducerOuters.pop(); return fn; }
  reducerFns.push(null); thisObjs.push(null);
  return '';
}
var stackLimitText = '', maxDepth = 100, maxChars = 8388608;
function configure(stackText, depth, chars) { stackLimitText = stackText; maxDepth = depth; maxChars = chars; }
function isStackOverflow(e) { return InternalErr !== null && e instanceof InternalErr && e.message === 'stack overflow'; }
function failureText(e) {
  return isStackOverflow(e) ? 'stack overflow (' + stackLimitText + ' limit): ' + errorString(e) : errorString(e);
}
function isLimit(e) {
  return InternalErr !== null && e instanceof InternalErr && (e.message === 'out of memory' || e.message === 'interrupted');
}
function isPlainObject(v) {
  if (v === null || typeof v !== 'object' || isArray(v)) return false;
  var proto = getPrototypeOf(v);
  return proto === ObjectProto || proto === null;
}
// A state leaves the sandbox as JSON whose objects all have their keys in sorted order. The order
// comes from giving JSON.stringify the sorted list of every key in the state; a state with custom
// toJSON methods, very many distinct keys (a typed array, a map keyed by hashes), deep nesting or
// a cycle takes the slower replacer, whose cost does not grow with them. Deeper nesting than
// maxDepth, or JSON text longer than maxChars, is refused (the host walks states recursively and
// keeps them in memory).
var dateToJSON = Date.prototype.toJSON;
// Every key seen in the states of the current item, sorted when 'keysAdded' is false.
var seenKeys = objectCreate(null), keyList = [], keysAdded = false;
function resetKeys() { seenKeys = objectCreate(null); keyList = []; keysAdded = false; }
function tooDeep() { return new RangeError('the state is nested more than ' + maxDepth + ' levels deep (the limit of a state)'); }
var deepSeen = false;
function collectKeys(v, depth) {
  if (depth >= maxDepth) { deepSeen = true; return false; }
  var i, x;
  if (isArray(v)) {
    for (i = 0; i < v.length; i++) {
      x = v[i];
      if (typeof x === 'object' && x !== null && !collectKeys(x, depth + 1)) return false;
    }
    return true;
  }
  if (typeof v.toJSON === 'function' && v.toJSON !== dateToJSON) return false;
  var keys = objectKeys(v);
  for (i = 0; i < keys.length; i++) {
    var k = keys[i];
    if (seenKeys[k] !== 1) {
      if (keyList.length >= 512) return false;
      seenKeys[k] = 1; keyList.push(k); keysAdded = true;
    }
    x = v[k];
    if (typeof x === 'object' && x !== null && !collectKeys(x, depth + 1)) return false;
  }
  return true;
}
// The nesting depth of a JSON text (strings skipped), for states that took the replacer.
var STRUCTURE = /["[\]{}]/g;
function jsonDepth(json) {
  var depth = 0, max = 0, m;
  STRUCTURE.lastIndex = 0;
  while ((m = STRUCTURE.exec(json)) !== null) {
    var c = m[0];
    if (c === '"') {
      var at = STRUCTURE.lastIndex;
      for (;;) {
        var end = json.indexOf('"', at), slashes = 0;
        while (json.charCodeAt(end - 1 - slashes) === 92) slashes++;
        at = end + 1;
        if (slashes % 2 === 0) break;
      }
      STRUCTURE.lastIndex = at;
    } else if (c === '[' || c === '{') { if (++depth > max) max = depth; }
    else depth--;
  }
  return max;
}
// Whether a plain walk of own enumerable values goes deeper than 'max' levels.
function deeperThan(v, max) {
  if (max < 0) return true;
  var values = isArray(v) ? v : objectKeys(v).map(function (k) { return v[k]; });
  for (var i = 0; i < values.length; i++) {
    var x = values[i];
    if (typeof x === 'object' && x !== null && deeperThan(x, max - 1)) return true;
  }
  return false;
}
// Whether the state contains itself within 'max' levels (then it is a cycle, not just deep).
function refersToItself(v, path, max) {
  if (path.indexOf(v) >= 0) return true;
  if (path.length > max) return false;
  path.push(v);
  var values = isArray(v) ? v : objectKeys(v).map(function (k) { return v[k]; });
  for (var i = 0; i < values.length; i++) {
    var x = values[i];
    if (typeof x === 'object' && x !== null && refersToItself(x, path, max)) return true;
  }
  path.pop();
  return false;
}
function stateJson(state) {
  var json;
  deepSeen = false;
  if (collectKeys(state, 0)) {
    if (keysAdded) { keyList.sort(); keysAdded = false; }
    json = JSONstringify(state, keyList);
  } else {
    // Deep nesting is refused before JSON.stringify, whose recursion could exhaust the stack.
    if (deepSeen || deeperThan(state, maxDepth)) {
      if (refersToItself(state, [], maxDepth + 1)) throw new TypeError('the state refers to itself (a cycle), so it cannot be JSON');
      throw tooDeep();
    }
    // JSON.stringify finds a cycle, or goes as deep as what toJSON methods return.
    try { json = JSONstringify(state, sortKeys); }
    catch (e) { if (isStackOverflow(e)) throw tooDeep(); throw e; }
    if (typeof json === 'string' && jsonDepth(json) > maxDepth) throw tooDeep();
  }
  if (typeof json !== 'string' || json.charAt(0) !== '{') throw new TypeError('the state is not a JSON object');
  if (json.length > maxChars) throw new RangeError('the state is larger than ' + maxChars + ' characters of JSON (the limit of a state)');
  return json;
}
function unescapeField(s) {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(.)/g, function (m, c) { return c === 't' ? '\t' : c === 'n' ? '\n' : c; });
}
var probe = null;
function setProbe(fn) { probe = fn; }
var progressRecord = -1, progressReducer = -1;
function progress() { return progressRecord + '\t' + progressReducer; }
function withFailure(json, failure) {
  var before = JSONparse(json);
  if (!isArray(before.errors)) before.errors = [];
  before.errors[before.errors.length] = failure;
  return before;
}
// A shallow copy of the state with the item's id; a toJSON method of the state itself is dropped
// (it could rename keys, the id among them), like every other function in a state.
function withId(state, id) {
  var keys = objectKeys(state), out = {};
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i], v;
    if (k === 'id') continue;
    v = state[k];
    if (k === 'toJSON' && typeof v === 'function') continue;
    if (k === '__proto__') defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  out.id = id;
  return out;
}
function endPass(answer) {
  progressRecord = -1; progressReducer = -1;
  loaded = objectCreate(null);
  for (var i = 0; i < thisObjs.length; i++) { reducerFns[i] = null; thisObjs[i] = null; }
  return restoreGlobals() ? answer : '!' + answer;
}
// One pass over an item (see the header): 'known' lists, comma-separated, the records before which
// the state is copied; from 'checkedFrom' on it is copied before every record (-1: never); records
// from 'stopBefore' on are not applied (-1: all are).
function reduceItem(itemId, stateJson0, meta, buf, known, checkedFrom, stopBefore) {
  resetRandom();
  resetKeys();
  loaded = objectCreate(null);
  progressRecord = -1; progressReducer = -1;
  var n = reducerOuters.length, i, json, state;
  try { json = stateJson(JSONparse(stateJson0)); }
  catch (e) {
    if (isLimit(e)) throw e;
    var bad = { errors: [{ file: '', error: 'the initial state cannot be used: ' + errorString(e) }] };
    if (itemId !== '') bad.id = itemId;
    return endPass(JSONstringify(bad));
  }
  for (i = 0; i < n; i++) {
    progressReducer = i;
    var fn = instantiate(i);
    if (typeof fn !== 'function') {
      return endPass(stateJson(withFailure(json, { file: reducerFiles[i], error: 'cannot load: ' + fn })));
    }
    reducerFns[i] = fn; thisObjs[i] = {};
  }
  progressReducer = -1;
  var copyBefore = objectCreate(null);
  if (known !== '') { var list = known.split(','); for (i = 0; i < list.length; i++) copyBefore[list[i]] = true; }
  state = JSONparse(json);
  var copied = json;  // the state before the current record as JSON, when it was copied
  var fields = meta === '' ? [] : meta.split('\t'), p = 0;
  var fileCount = new U32(buf, 0, 1)[0], lengths = new U32(buf, 4, fileCount), f = 0, offset = 4 + 4 * fileCount;
  for (var r = 0; p < fields.length; r++) {
    if (r === stopBefore) break;
    var hash = unescapeField(fields[p++]), count = +fields[p++], files = {};
    for (var c = 0; c < count; c++) {
      var name = unescapeField(fields[p++]), length = lengths[f++], view = new U8(buf, offset, length);
      offset += length;
      if (name === '__proto__') defineProperty(files, name, { value: view, enumerable: true, writable: true, configurable: true });
      else files[name] = view;
    }
    var record = { hash: hash, files: files };
    var checked = checkedFrom >= 0 && r >= checkedFrom;
    progressRecord = r;
    if (checked || copyBefore[r] === true || probe !== null) {
      // After a checked record the state was turned into JSON already (below).
      if (!(checked && r > checkedFrom && copied !== null)) {
        try { copied = stateJson(state); }
        catch (e) { if (isLimit(e)) throw e; if (checkedFrom !== 0) return endPass('?end'); throw e; }
      }
    } else {
      copied = null;
    }
    var failure = null, result;
    for (i = 0; i < n; i++) {
      progressReducer = i;
      if (probe !== null) probe(r, i, copied);
      try { result = reflectApply(reducerFns[i], thisObjs[i], [state, record]); }
      catch (e) { if (isLimit(e)) throw e; failure = { file: reducerFiles[i], error: failureText(e) }; break; }
      if (result === undefined) continue;
      if (isPlainObject(result)) { state = result; continue; }
      failure = { file: reducerFiles[i], error: 'TypeError: invalid return value ' + errorString(result) + ', expected an object' };
      break;
    }
    progressReducer = -1;
    var after = null;
    if (failure === null && checked) {
      // A state that cannot be JSON, or is too deep or too large, fails the record that made it so.
      try { after = stateJson(state); }
      catch (e) { if (isLimit(e)) throw e; failure = { file: reducerFiles[n - 1], error: failureText(e) }; }
    }
    if (failure !== null) {
      if (copied === null) return endPass('?' + r);
      state = withFailure(copied, failure);
      after = checked ? stateJson(state) : null;
    }
    copied = after;
  }
  // The id is the host's: a reducer cannot move its state onto another item.
  if (itemId !== '') state = withId(state, itemId);
  try { json = stateJson(state); }
  catch (e) {
    if (isLimit(e)) throw e;
    // Which record made the state unusable is known only by checking after every record.
    if (checkedFrom !== 0) return endPass('?end');
    if (itemId !== '') return endPass(stateJson(withFailure(stateJson0, { file: reducerFiles[n - 1] || '', error: failureText(e) })));
    throw e;
  }
  return endPass(json);
}

// After a pass that a limit stopped: undoes what the item changed, as endPass does.
function abandon() { return endPass(''); }

//#endregion
// ---- module scripts ----
// require() in a module script: a path relative to the requiring file, inside the script's own
// directory; load(path) (the host) compiles the file there, refuses it, or finds nothing.
function outsideScript(id) {
  return new Error('require(' + JSONstringify(id) + ') leads outside the directory of the module script; it may only require files inside it');
}
function scriptRequire(load, base, cache) {
  return function require(id) {
    var out = resolveId(id, base, outsideScript);
    var path = out.join('/'), candidates = [path, path + '.js', path + '/index.js'];
    for (var j = 0; j < candidates.length; j++) {
      var name = candidates[j];
      if (name in cache) return cache[name].exports;
      var outer = load(name);
      if (outer === undefined) continue;
      var module = { exports: {} };
      cache[name] = module;
      try { outer().call(module.exports, module.exports, scriptRequire(load, name.split('/').slice(0, -1), cache), module); }
      catch (e) { delete cache[name]; throw e; }
      return module.exports;
    }
    throw new Error('module not found: ' + JSONstringify(Str(id)));
  };
}
function runScript(outer, hostCall, names, argsJson, load) {
  if (typeof load !== 'function') load = function () { return undefined; };
  var sit = {};
  names.forEach(function (name) {
    sit[name] = function () {
      var out = hostCall(name, JSONstringify(Array.prototype.slice.call(arguments)));
      return out === undefined ? undefined : JSONparse(out);
    };
  });
  var module = { exports: {} };
  outer(scriptRequire(load, [], Object.create(null))).call(global, module);
  if (typeof module.exports !== 'function') throw new TypeError('module.exports should export a function');
  var result = module.exports(sit, JSONparse(argsJson));
  if (result === undefined) return '';
  var json = JSONstringify(result, sortKeys);
  return json === undefined ? '' : json;
}

//#region reducer-driver
return {
  setProbe: setProbe, configure: configure, lockdown: lockdown, define: define, addReducer: addReducer,
  reduceItem: reduceItem, progress: progress, abandon: abandon, runScript: runScript
};
//#endregion
//#region script-driver
return { runScript: runScript };
//#endregion
})(globalThis)
