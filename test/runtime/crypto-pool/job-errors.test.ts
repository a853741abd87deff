// Every error class the protocol code exports crosses the thread boundary as
// itself: a class added to src/protocol/signal without a reviver would reach
// callers as CryptoPoolError WORKER_FAILED, and this test names it.
import { describe, expect, it } from 'vitest';
import * as cryptoModule from '../../../src/protocol/crypto/index.js';
import * as groupModule from '../../../src/protocol/signal/group/index.js';
import * as signalModule from '../../../src/protocol/signal/index.js';
import { CryptoPoolError } from '../../../src/runtime/crypto-pool/index.js';
import { reviveJobError, serializeJobError } from '../../../src/protocol/jobs/job-errors.js';

type ErrorClass = new (...args: never[]) => Error;

const errorClasses = [cryptoModule, groupModule, signalModule].flatMap((m) =>
  Object.values(m).filter((v): v is ErrorClass => typeof v === 'function' && v.prototype instanceof Error),
);

describe('job errors', () => {
  it('finds the protocol error classes', () => {
    expect(errorClasses.map((c) => c.name)).toEqual(expect.arrayContaining(['CryptoError', 'GroupCipherError', 'SignalError', 'DuplicateMessageError', 'BadMacError']));
  });

  it.each(errorClasses.map((c) => [c.name, c] as const))('%s survives serialisation with its class and code', (name, C) => {
    // An instance without running the constructor, whose parameters differ per class.
    const e = Object.assign(Object.create(C.prototype) as Error, { name, message: 'm' });
    Object.defineProperty(e, 'code', { value: 'SOME_CODE', enumerable: true });
    const wire = serializeJobError(e);
    expect(wire.name).toBe(name);
    const back = reviveJobError(structuredClone(wire));
    expect(back).toBeInstanceOf(C);
    expect(back.name).toBe(name);
  });

  it('keeps class fields such as a duplicate message counter', () => {
    const back = reviveJobError(structuredClone(serializeJobError(new signalModule.DuplicateMessageError(42))));
    expect(back).toBeInstanceOf(signalModule.DuplicateMessageError);
    expect(back).toMatchObject({ code: 'DUPLICATE_MESSAGE', counter: 42 });
  });

  it('reports anything else (a bug) as WORKER_FAILED with its message', () => {
    const back = reviveJobError(structuredClone(serializeJobError(new TypeError('x is undefined'))));
    expect(back).toBeInstanceOf(CryptoPoolError);
    expect(back).toMatchObject({ code: 'WORKER_FAILED', message: 'TypeError: x is undefined' });
  });
});
