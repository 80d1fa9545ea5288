// Which screen is showing. No addresses: a screen is a value in this store.

import type { Anchor, ConversationKey } from '../bindings';
import { onClear } from './vault.svelte';

export type Route =
  | { name: 'timeline' }
  | { name: 'incident-new' }
  | { name: 'incident-edit'; id: string }
  | { name: 'detail'; id: string }
  | { name: 'people' }
  | { name: 'person-new' }
  | { name: 'person-edit'; id: string }
  | { name: 'reports' }
  | { name: 'report-new' }
  | { name: 'report-edit'; id: string }
  | { name: 'share' }
  | { name: 'integrity' }
  | { name: 'bundle' }
  | { name: 'settings' }
  | { name: 'messages' }
  | { name: 'import' }
  | { name: 'conversation'; key: ConversationKey; anchor: Anchor }
  | { name: 'search' };

export class Router {
  current = $state<Route>({ name: 'timeline' });
  private stack: Route[] = [];
  /** Bumped on every change, so the app can move focus to the new screen's heading. */
  changes = $state(0);

  go(r: Route): void {
    this.stack.push(this.current);
    if (this.stack.length > 50) this.stack.shift();
    this.current = r;
    this.changes++;
  }

  /** Replaces the current screen without adding to "Back". */
  replace(r: Route): void {
    this.current = r;
    this.changes++;
  }

  back(fallback: Route = { name: 'timeline' }): void {
    this.current = this.stack.pop() ?? fallback;
    this.changes++;
  }

  canGoBack(): boolean {
    return this.stack.length > 0;
  }

  reset(): void {
    this.stack = [];
    this.current = { name: 'timeline' };
    this.changes++;
  }
}

export const router = new Router();
onClear(() => router.reset());
