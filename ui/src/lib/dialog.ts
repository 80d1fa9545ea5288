// The native open dialogs. Paths come back as plain strings; nothing is read here.

import { open } from '@tauri-apps/plugin-dialog';

/** One folder, or null when she closes the dialog. */
export async function pickFolder(title: string): Promise<string | null> {
  const r = await open({ directory: true, multiple: false, title });
  return typeof r === 'string' ? r : null;
}

/** Any number of files; empty when she closes the dialog. */
export async function pickFiles(title: string): Promise<string[]> {
  const r = await open({ multiple: true, directory: false, title });
  if (r === null) return [];
  return Array.isArray(r) ? r : [r];
}
