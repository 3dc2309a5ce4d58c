// First, before React and the app are evaluated: the requests the page will make anyway.
import './early.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { earlyAnswers } from './lib/early-answers.js';
import './styles.css';

// The first render shows the data when it comes fast, rather than "Loading…" and the data a
// paint later; a slow server gets the loading page after this long.
const EARLY_WAIT_MS = 200;
/** A user-timing mark made as the app starts its first render. */
const FIRST_RENDER_MARK = 'cairn:first-render';

void earlyAnswers(EARLY_WAIT_MS).then(() => {
  // For whoever profiles the page (the benchmarks time a page's first render from it).
  performance.mark(FIRST_RENDER_MARK);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
