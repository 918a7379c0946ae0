// Times are shown in the community's zone (Asia/Dubai, no daylight saving), with the zone named,
// whatever the computer's own zone is.

export const COMMUNITY_ZONE = 'Asia/Dubai';
export const ZONE_LABEL = 'GST';

const format = new Intl.DateTimeFormat('en-GB', {
  timeZone: COMMUNITY_ZONE,
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const withYear = new Intl.DateTimeFormat('en-GB', {
  timeZone: COMMUNITY_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const yearOnly = new Intl.DateTimeFormat('en-GB', { timeZone: COMMUNITY_ZONE, year: 'numeric' });

/** `22 Nov, 14:05 GST` for an ISO-8601 time this year in the community, `22 Nov 2027, 14:05 GST`
 *  for another year (`now` is the moment "this year" is judged at); the text itself when it is
 *  not a time. */
export function communityTime(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const sameYear = yearOnly.format(at) === yearOnly.format(new Date(now));
  return `${(sameYear ? format : withYear).format(at)} ${ZONE_LABEL}`;
}

/** How old the data is, relative to `now`: "Data current" under two minutes, then "Data 42 min
 *  old", "Data 3 h 5 min old", "Data 2 d old"; `stale` past `staleMinutes`. */
export function dataAge(iso: string, now: number, staleMinutes: number): { text: string; stale: boolean } {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return { text: 'Data age unknown', stale: true };
  const mins = Math.max(0, Math.floor((now - at) / 60000));
  const stale = mins > staleMinutes;
  if (mins < 2) return { text: 'Data current', stale };
  if (mins < 60) return { text: `Data ${mins} min old`, stale };
  if (mins < 24 * 60) {
    const h = Math.floor(mins / 60);
    const m = mins % 60;
    return { text: `Data ${h} h${m ? ` ${m} min` : ''} old`, stale };
  }
  return { text: `Data ${Math.floor(mins / (24 * 60))} d old`, stale };
}
