/** A key hint on a button: the cashier learns the shortcut by seeing it where they would click. */
export function Kbd({ k }: { k: string }) {
  return <kbd>{k}</kbd>;
}
