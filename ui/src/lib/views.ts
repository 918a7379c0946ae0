// The app's views, in sidebar order. A view without its capability yet shows an honest empty
// state saying so, rather than fake data.

export type ViewId = 'contractors' | 'permits' | 'print' | 'panels' | 'settings';

export interface View {
  id: ViewId;
  label: string;
  /** Shown while the view has nothing to show; null for views that always have content. */
  empty: { title: string; body: string } | null;
}

export const VIEWS: readonly View[] = [
  {
    id: 'contractors',
    label: 'Contractors',
    empty: {
      title: 'No contractors yet',
      body: 'The contractor queue (pending, approved and removed) appears here once Gatehouse is connected to a community and has synced. This version cannot connect or sync yet.',
    },
  },
  {
    id: 'permits',
    label: 'Permits',
    empty: {
      title: 'No permits yet',
      body: 'Permits, their history and their QR passes appear here after the first sync with your community. This version cannot connect or sync yet.',
    },
  },
  {
    id: 'print',
    label: 'Print queue',
    empty: {
      title: 'Nothing to print',
      body: 'Passes you select in Permits will queue here for printing as PDFs. Printing is not available in this version yet.',
    },
  },
  {
    id: 'panels',
    label: 'Gate panels',
    empty: {
      title: 'No gate panels',
      body: 'BAS-IP panels on your local network, and the cards, PINs and plates they hold, will be managed here. Panel support is not available in this version yet.',
    },
  },
  { id: 'settings', label: 'Settings', empty: null },
];

export function viewById(id: ViewId): View {
  const view = VIEWS.find((v) => v.id === id);
  if (!view) throw new Error(`unknown view ${id}`);
  return view;
}
