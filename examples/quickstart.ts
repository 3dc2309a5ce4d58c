// Quickstart (run-api.md "init" + "log" + "define_metric"): logistic regression trained by gradient descent.
import cairn, { openRun } from '@cairn/sdk';

// `npm start` runs this as its live demo, longer and paced so that its charts grow in the
// dashboard: QUICKSTART_EPOCHS (default 12) and QUICKSTART_STEP_MS, a pause after each
// training step (default none). The pause also lets the run stream its rows as it goes.
const stepMs = Number(process.env.QUICKSTART_STEP_MS ?? 0);
const hyperparameters = { learningRate: 0.5, epochs: Number(process.env.QUICKSTART_EPOCHS ?? 12), batchSize: 32, trainSize: 800, valSize: 200, seed: 7 };
const run = await cairn.init({ project: 'quickstart', config: hyperparameters });
const { learningRate, epochs, batchSize, trainSize, valSize, seed } = run.config as unknown as typeof hyperparameters;

run.defineMetric('epoch');
run.defineMetric('val/*', { stepMetric: 'epoch' });
run.defineMetric('train/loss', { summary: 'min,last' });

// Two Gaussian blobs in the plane, one per class, drawn from a seeded generator.
type Example = { x: [number, number]; y: 0 | 1 };
const random = mulberry32(seed);
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
function makeExample(): Example {
  const y = random() < 0.5 ? 0 : 1;
  const centre = y === 1 ? 1 : -1;
  return { x: [centre + gaussian(), centre + gaussian()], y };
}
const train = Array.from({ length: trainSize }, makeExample);
const val = Array.from({ length: valSize }, makeExample);

const weights = [0, 0];
let bias = 0;
const predict = ({ x }: Example): number => 1 / (1 + Math.exp(-(weights[0]! * x[0] + weights[1]! * x[1] + bias)));

function evaluate(examples: Example[]): { loss: number; acc: number } {
  let loss = 0;
  let correct = 0;
  for (const example of examples) {
    const p = Math.min(Math.max(predict(example), 1e-12), 1 - 1e-12);
    loss -= example.y === 1 ? Math.log(p) : Math.log(1 - p);
    if ((p >= 0.5 ? 1 : 0) === example.y) correct++;
  }
  return { loss: loss / examples.length, acc: correct / examples.length };
}

let alerted = false;
for (let epoch = 1; epoch <= epochs; epoch++) {
  for (let start = 0; start < train.length; start += batchSize) {
    const batch = train.slice(start, start + batchSize);
    const { loss, acc } = evaluate(batch);
    // Gradient of the mean cross-entropy: (p - y) · x, and (p - y) for the bias.
    const grad = [0, 0];
    let gradBias = 0;
    for (const example of batch) {
      const error = predict(example) - example.y;
      grad[0]! += error * example.x[0];
      grad[1]! += error * example.x[1];
      gradBias += error;
    }
    weights[0]! -= (learningRate * grad[0]!) / batch.length;
    weights[1]! -= (learningRate * grad[1]!) / batch.length;
    bias -= (learningRate * gradBias) / batch.length;
    run.log({ 'train/loss': loss, 'train/acc': acc });
    if (stepMs > 0) await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  const { loss, acc } = evaluate(val);
  run.log({ epoch, 'val/loss': loss, 'val/acc': acc });
  if (acc >= 0.9 && !alerted) {
    run.alert('validation accuracy reached 90%', `val/acc ${acc.toFixed(3)} after epoch ${epoch}`, 'INFO');
    alerted = true;
  }
}

run.summary.weights = [...weights, bias];
await run.finish();

const back = openRun(run.runDir!);
console.log(`run ${run.name} (${run.id}) is in ${run.runDir}`);
console.log(`read it back: openRun(${JSON.stringify(run.runDir)}) → ${back.history.length} rows, val/acc ${String(back.summary['val/acc'])}`);

/** A small seeded PRNG (mulberry32), so every run of the quickstart sees the same data. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
