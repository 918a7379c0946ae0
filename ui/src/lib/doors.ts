// How the window shows a crew's identifiers at the doors.

/** A PIN as the Doors section shows it until revealed: its last two digits only. */
export function maskedPin(pin: string): string {
  return `•••• ${pin.slice(-2)}`;
}
