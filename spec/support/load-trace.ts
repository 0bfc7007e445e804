/**
 * Preloaded into a spawned CLI (`node --import …/load-trace.js`) when
 * EPIC_LOAD_TRACE names a file: at exit it writes there the ES modules the
 * process loaded (from the loader hook of load-trace-hooks.ts), the Node.js
 * built-in modules it loaded (process.moduleLoadList), how many TCP
 * connections it opened and whether it made process.stdin. What start-up loads and opens is asserted by
 * spec/program/startup.spec.ts without timing anything.
 */
import fs from 'node:fs';
import { register } from 'node:module';
import net from 'node:net';

const file = process.env.EPIC_LOAD_TRACE;
if (file) {
  const modulesFile = `${file}.modules`;
  fs.writeFileSync(modulesFile, '');
  register(new URL('./load-trace-hooks.js', import.meta.url), { data: { file: modulesFile } });
  let connections = 0;
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    connections++;
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  let stdinMade = false;
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (stdin?.get && stdin.configurable) {
    const get = stdin.get;
    Object.defineProperty(process, 'stdin', { ...stdin, get: () => ((stdinMade = true), get.call(process)) });
  }
  process.on('exit', () => {
    const loadList = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
    const builtins = loadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    const modules = fs.readFileSync(modulesFile, 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(file, JSON.stringify({ connections, builtins, modules, stdinMade }));
  });
}
