/**
 * Rendering components in the `web-components` test project (vitest with jsdom): React 19's
 * own root and `act`, no testing library. Each render is attached to the document, so that
 * events bubble to React's listeners, and removed by `cleanup` after each test.
 */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const mounted: Array<{ root: Root; container: HTMLElement }> = [];

afterEach(() => {
  for (const { root, container } of mounted.splice(0)) {
    act(() => root.unmount());
    container.remove();
  }
});

/** Renders `element` into a fresh container in the document; returns the container. */
export function render(element: ReactNode): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(element));
  mounted.push({ root, container });
  return container;
}

/** Renders `element` again into the container of an earlier render. */
export function rerender(container: HTMLElement, element: ReactNode): void {
  const entry = mounted.find((m) => m.container === container);
  if (!entry) throw new Error('rerender: that container was not rendered by render()');
  act(() => entry.root.render(element));
}

/** Sets an input's value as a person typing would, so that React's onChange sees it. */
export function type(input: HTMLInputElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Clicks an element. */
export function click(element: Element): void {
  act(() => {
    element.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }));
  });
}

/** The text of each element matching `selector` under `root`. */
export function texts(root: ParentNode, selector: string): string[] {
  return [...root.querySelectorAll(selector)].map((element) => element.textContent ?? '');
}
