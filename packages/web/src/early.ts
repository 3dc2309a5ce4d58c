/**
 * Imported first by main.tsx for this one effect: the page's first requests go out before
 * React and the rest of the bundle are evaluated (see lib/early-requests.ts).
 */
import { requestEarly } from './lib/early-answers.js';
import { earlyRequests } from './lib/early-requests.js';

for (const path of earlyRequests(window.location.pathname, window.location.search)) requestEarly(path);
