// The app's views, in sidebar order. A view without its capability yet shows an honest empty
// state saying so, rather than fake data (`empty`; every view has its capability now).

export type ViewId = 'contractors' | 'permits' | 'print' | 'activity' | 'panels' | 'settings';

export interface View {
  id: ViewId;
  label: string;
  /** Shown while the view has nothing to show; null for views that always have content. */
  empty: { title: string; body: string } | null;
}

export const VIEWS: readonly View[] = [
  { id: 'contractors', label: 'Contractors', empty: null },
  { id: 'permits', label: 'Permits', empty: null },
  { id: 'print', label: 'Print queue', empty: null },
  { id: 'activity', label: 'Activity', empty: null },
  { id: 'panels', label: 'Gate panels', empty: null },
  { id: 'settings', label: 'Settings', empty: null },
];

export function viewById(id: ViewId): View {
  const view = VIEWS.find((v) => v.id === id);
  if (!view) throw new Error(`unknown view ${id}`);
  return view;
}
