/** pickle and friends: loading them runs code chosen by whoever wrote the bytes. */
import { PythonFile, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const LOADERS = [
  'pickle.load', 'pickle.loads', 'pickle.Unpickler', '_pickle.load', '_pickle.loads', 'cPickle.load', 'cPickle.loads', 'cPickle.Unpickler',
  'dill.load', 'dill.loads', 'dill.Unpickler',
  'cloudpickle.load', 'cloudpickle.loads',
  'shelve.open', 'shelve.DbfilenameShelf', 'shelve.Shelf',
  'marshal.load', 'marshal.loads',
  'jsonpickle.decode', 'jsonpickle.loads', 'jsonpickle.unpickler.decode',
  'pandas.read_pickle',
  'joblib.load', 'sklearn.externals.joblib.load',
  'numpy.load',
];

export const rule: PythonRule = {
  info: {
    id: 'py-unsafe-deserialization',
    kind: 'code',
    severity: 'high',
    confidence: 'medium',
    title: 'Deserialisation that can run code',
    help: 'pickle (and cPickle, dill, cloudpickle, joblib, shelve, jsonpickle, pandas.read_pickle) rebuild objects by calling functions named in the data, and marshal is not safe against crafted input: loading bytes someone else could have written runs their code. Use JSON or another data-only format with a schema; if pickles must cross a trust boundary, sign them (hmac) and check the signature before loading.',
    bandit: ['B301', 'B302', 'B403'],
  },
  calls: LOADERS,
  check(call, file, report, callee) {
    if (callee === 'numpy.load') {
      // numpy refuses pickled object arrays unless asked to load them.
      if (!PythonFile.isTrue(file.argumentsOf(call).keywords.get('allow_pickle'))) return;
    }
    const source = file.argument(call, 0, 'file');
    const origin = source ? file.originOf(source) : null;
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: origin && !origin.startsWith('parameter') ? 'high' : undefined,
      message: `${callee}() ${callee === 'numpy.load' ? 'with allow_pickle=True unpickles' : 'deserialises'} data in a format that can run code while loading${origin ? ` (the data comes from ${origin})` : ''}; anyone who can write those bytes runs code here.`,
      fix: 'Store and exchange data as JSON (or another data-only format) and validate it; if you must load pickles from elsewhere, verify an HMAC of the bytes first.',
    });
  },
};
