import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './components/app.tsx';
import { DisplayApp } from './display/display-app.tsx';
import { isDisplayPage } from './display/display-source.ts';
import { i18n, initI18n } from './i18n/index.ts';
import { initialLanguage, startTill } from './store/index.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// The same bundle serves the customer display (`#display…`): it never starts the till store or its bridge.
const display = isDisplayPage();
void initI18n(initialLanguage()).then(() => {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>{display ? <DisplayApp /> : <App />}</I18nextProvider>
    </StrictMode>,
  );
  if (!display) void startTill();
});
