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

void earlyAnswers(EARLY_WAIT_MS).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
