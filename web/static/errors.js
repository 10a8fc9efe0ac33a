/** An error whose message is written for the visitor, shown as it is. */
export class SiteError extends Error {
  name = "SiteError";
}
