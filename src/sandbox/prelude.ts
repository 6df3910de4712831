/**
 * The guest side of the sandbox: code evaluated once in every QuickJS context before any reducer.
 *
 * It installs `TextDecoder`/`TextEncoder` (QuickJS has neither), freezes the clock and the random
 * generator so that reductions are deterministic, removes the weak references whose behaviour
 * depends on garbage collection, and evaluates to an object of driver functions that only the host
 * holds (nothing of it is reachable from the global object):
 *
 * - `configure(stackText)`: the stack limit as error messages show it;
 * - `define(path, fn, error)`: registers a file that `require()` may load (compiled by the host);
 * - `addReducer(file, dir, outer)`: instantiates a reducer; returns `''` or the error message;
 * - `reduceItem(stateJson, meta, buf)`: reduces one item, returns its state as JSON;
 * - `setProbe(fn)`: `fn(record, reducer, stateJson)` is called before every reducer call (or `null`);
 * - `progress()`: `record \t reducer \t stateJson` of the record being reduced (after a limit hit);
 * - `runScript(outer, hostCall, names, argsJson)`: runs one module script (see `script.ts`).
 *
 * `meta` and `buf` are made by `pack.ts`: `meta` lists, tab-separated, each record's hash, file count and
 * file names (a backslash, tab or newline inside one escaped as `\\`, `\t`, `\n`); `buf` holds the file
 * count, the file lengths (Uint32) and then the files' bytes.
 */
export const PRELUDE = String.raw`(function (global) {
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

// ---- require() ----
var files = Object.create(null);   // absolute path -> { fn, error }
var loaded = Object.create(null);  // absolute path -> module
function define(path, fn, error) { files[path] = { fn: fn, error: error }; }
function resolveId(id, base) {
  if (typeof id !== 'string' || id === '' || id.charAt(0) === '/') throw new TypeError('cannot resolve module id: ' + Str(id));
  var out = base.slice(), parts = id.split('/');
  for (var i = 0; i < parts.length; i++) {
    var p = parts[i];
    if (p === '.') continue;
    if (p === '' ) throw new TypeError('cannot resolve module id: ' + id);
    if (p === '..') { if (out.length === 0) throw new TypeError('cannot resolve module id: ' + id); out.pop(); continue; }
    out.push(p);
  }
  if (out.length === 0) throw new TypeError('cannot resolve module id: ' + id);
  return out;
}
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
    try { entry.fn.call(module.exports, module.exports, makeRequire(found, root), module); }
    catch (e) { delete loaded[found]; throw e; }
    return module.exports;
  };
}

// ---- reducers ----
var reducerFiles = [], reducerFns = [], thisObjs = [];
function errorString(e) {
  try { return Str(e); } catch (e2) {
    try { return toStringTag.call(e); } catch (e3) { return 'Error: unprintable value'; }
  }
}
function addReducer(file, dir, outer) {
  var module = { exports: {} };
  try { outer(makeRequire(file, dir)).call(global, module); }
  catch (e) { if (isLimit(e)) throw e; return errorString(e); }
  if (typeof module.exports !== 'function') return 'module.exports should export a function';
  reducerFiles.push(file); reducerFns.push(module.exports); thisObjs.push({});
  return '';
}
var stackLimitText = '';
function configure(stackText) { stackLimitText = stackText; }
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
// A state crosses from record to record as JSON whose objects all have their keys in sorted order,
// so that parsing it gives reducers fresh objects in sorted order (JavaScript still enumerates
// integer-like keys first). The order comes from giving JSON.stringify the sorted list of every key
// in the state; a state with custom toJSON methods, very deep nesting or very many distinct keys (a
// typed array, a map keyed by hashes) takes the slower replacer, whose cost does not grow with them.
var dateToJSON = Date.prototype.toJSON;
// Every key seen in the states of the current item, sorted when 'keysAdded' is false.
var seenKeys = Object.create(null), keyList = [], keysAdded = false;
function resetKeys() { seenKeys = Object.create(null); keyList = []; keysAdded = false; }
function collectKeys(v, depth) {
  if (depth > 200) return false;
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
function stateJson(state) {
  var json;
  if (collectKeys(state, 0)) {
    if (keysAdded) { keyList.sort(); keysAdded = false; }
    json = JSONstringify(state, keyList);
  } else {
    json = JSONstringify(state, sortKeys);
  }
  if (typeof json !== 'string' || json.charAt(0) !== '{') throw new TypeError('the state is not a JSON object');
  return json;
}
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
function unescapeField(s) {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(.)/g, function (m, c) { return c === 't' ? '\t' : c === 'n' ? '\n' : c; });
}
var probe = null;
function setProbe(fn) { probe = fn; }
var progressRecord = -1, progressReducer = -1, progressJson = '';
function progress() { return progressRecord + '\t' + progressReducer + '\t' + progressJson; }
function reduceItem(stateJson0, meta, buf) {
  resetRandom();
  resetKeys();
  var n = reducerFns.length, i;
  for (i = 0; i < n; i++) thisObjs[i] = {};
  progressRecord = -1; progressReducer = -1; progressJson = '';
  var json = stateJson(JSONparse(stateJson0));
  var fields = meta === '' ? [] : meta.split('\t'), p = 0;
  var fileCount = new U32(buf, 0, 1)[0], lengths = new U32(buf, 4, fileCount), f = 0, offset = 4 + 4 * fileCount;
  for (var r = 0; p < fields.length; r++) {
    var hash = unescapeField(fields[p++]), count = +fields[p++], files = {};
    for (var c = 0; c < count; c++) {
      var name = unescapeField(fields[p++]), length = lengths[f++], view = new U8(buf, offset, length);
      offset += length;
      if (name === '__proto__') defineProperty(files, name, { value: view, enumerable: true, writable: true, configurable: true });
      else files[name] = view;
    }
    var record = { hash: hash, files: files };
    progressRecord = r; progressJson = json;
    var state = JSONparse(json), failure = null, result;
    for (i = 0; i < n; i++) {
      progressReducer = i;
      if (probe !== null) probe(r, i, json);
      try { result = reducerFns[i].call(thisObjs[i], state, record); }
      catch (e) { if (isLimit(e)) throw e; failure = { file: reducerFiles[i], error: failureText(e) }; break; }
      if (result === undefined) continue;
      if (isPlainObject(result)) { state = result; continue; }
      failure = { file: reducerFiles[i], error: 'TypeError: invalid return value ' + errorString(result) + ', expected an object' };
      break;
    }
    if (failure === null) {
      try { json = stateJson(state); }
      catch (e) { if (isLimit(e)) throw e; failure = { file: reducerFiles[n - 1], error: failureText(e) }; }
    }
    if (failure !== null) {
      var before = JSONparse(progressJson);
      if (!isArray(before.errors)) before.errors = [];
      before.errors[before.errors.length] = failure;
      json = stateJson(before);
    }
  }
  progressRecord = -1; progressReducer = -1; progressJson = '';
  return json;
}

// ---- module scripts ----
function runScript(outer, hostCall, names, argsJson) {
  var sit = {};
  names.forEach(function (name) {
    sit[name] = function () {
      var out = hostCall(name, JSONstringify(Array.prototype.slice.call(arguments)));
      return out === undefined ? undefined : JSONparse(out);
    };
  });
  var module = { exports: {} };
  outer(function require(id) { throw new Error('module not found: ' + JSONstringify(Str(id))); }).call(global, module);
  if (typeof module.exports !== 'function') throw new TypeError('module.exports should export a function');
  var result = module.exports(sit, JSONparse(argsJson));
  if (result === undefined) return '';
  var json = JSONstringify(result, sortKeys);
  return json === undefined ? '' : json;
}

return { setProbe: setProbe, configure: configure, define: define, addReducer: addReducer, reduceItem: reduceItem, progress: progress, runScript: runScript };
})(globalThis)
`;
