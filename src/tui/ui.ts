/**
 * The UI half of interposer-tui: Ink, React and the views, the slow part to load. startup.ts
 * loads it with loadUi() once the first reports have started.
 */
import { render, type Instance, type RenderOptions } from 'ink';
import { createElement } from 'react';
import { App, type AppProps } from './app.js';

export function renderApp(props: AppProps, options: RenderOptions): Instance {
  return render(createElement(App, props), options);
}
