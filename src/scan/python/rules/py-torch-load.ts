/** `torch.load` without `weights_only=True` unpickles arbitrary objects. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-torch-load',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'torch.load without weights_only=True',
    help: 'torch.load unpickles the checkpoint: with weights_only=False (the default before PyTorch 2.6) a model file from elsewhere runs code when loaded. Pass weights_only=True, or use safetensors.',
  },
  calls: ['torch.load'],
  check(call, file, report) {
    const args = file.argumentsOf(call);
    const weightsOnly = args.keywords.get('weights_only');
    if (weightsOnly?.type === 'true') return;
    if (!weightsOnly && args.hasSplat) return; // may be passed in **kwargs
    const explicit = weightsOnly?.type === 'false';
    if (weightsOnly && !explicit) return; // a variable: cannot tell
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: explicit ? 'high' : 'medium',
      confidence: explicit ? 'high' : 'medium',
      message: explicit
        ? 'torch.load(weights_only=False) unpickles the whole file: a checkpoint from elsewhere runs code when loaded.'
        : 'torch.load() without weights_only=True unpickles the whole file on PyTorch before 2.6: a checkpoint from elsewhere runs code when loaded.',
      fix: 'Pass weights_only=True (and load only tensors and plain containers), or store weights as safetensors.',
    });
  },
};
