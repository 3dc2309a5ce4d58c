// Port of run-api.md example "init-and-log-incremental": build one row from two log() calls.
import cairn from '@cairn/sdk';
await cairn.init();
cairn.log({ loss: 0.2 }, { commit: false });
// Somewhere else when I'm ready to report this step:
cairn.log({ accuracy: 0.8 });
