// The native open and save dialogs. Paths come back as plain strings; nothing is read here.

import { open, save } from '@tauri-apps/plugin-dialog';

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

/** One file, or null when she closes the dialog. */
export async function pickFile(title: string): Promise<string | null> {
  const r = await open({ multiple: false, directory: false, title });
  return typeof r === 'string' ? r : null;
}

/** Where to save a new file, or null when she closes the dialog. */
export async function pickSavePath(title: string, defaultPath: string): Promise<string | null> {
  const r = await save({ title, defaultPath });
  return typeof r === 'string' ? r : null;
}
