/**
 * Text for a terminal (SPEC §8): record text comes from other people, and control characters in
 * it would reach the user's terminal as commands (erase the line, set the title, write the
 * clipboard through OSC 52). On a terminal, every control character but newline and tab is shown
 * escaped instead; what goes to a pipe or a file is left as it is, byte for byte.
 * @module
 */

/** C0 controls but tab and newline, DEL, and the C1 controls (which some terminals obey too). */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `text` with every control character except newline and tab written as `\xHH` (e.g. ESC as `\x1b`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `text` escaped with {@linkcode escapeControls} when `isTTY` (the stream is a terminal), else unchanged. */
export function forTerminal(text: string, isTTY: boolean | undefined): string {
  return isTTY === true ? escapeControls(text) : text;
}
