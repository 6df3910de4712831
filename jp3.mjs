import { search } from '@jmespath-community/jmespath';
const expr = process.argv[2];
console.log(expr.length, expr);
const t = performance.now();
try { const r = search({a: 1}, expr); console.log(typeof r, JSON.stringify(r).length, performance.now() - t); } catch (e) { console.log('threw', e.message, performance.now() - t); }
