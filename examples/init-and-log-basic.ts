// Port of run-api.md example "init-and-log-basic": log one row.
import cairn from '@cairn/sdk';
await cairn.init();
cairn.log({ accuracy: 0.9, epoch: 5 });
