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

/** `22 Nov, 14:05 GST` for an ISO-8601 time; the text itself when it is not one. */
export function communityTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${format.format(at)} ${ZONE_LABEL}`;
}
