// Whether she has read the notice of failed unlocks found at this unlock. Shown once
// per unlock: forgotten on lock, like everything else.

import { onClear } from './vault.svelte';

class AttemptsNotice {
  dismissed = $state(false);
}

export const attemptsNotice = new AttemptsNotice();
onClear(() => (attemptsNotice.dismissed = false));
