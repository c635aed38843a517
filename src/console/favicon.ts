// The console's mark (the blue-to-teal square of the header) as the tab icon, inline so
// the page still loads nothing else; the CSP allows `data:` images.
const svg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4c6ef5"/><stop offset="1" stop-color="#15aabf"/></linearGradient></defs><rect width="32" height="32" rx="8" fill="url(#g)"/><path d="M9 12h14M9 20h9" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>';

/** The favicon as a `data:` URL. */
export const faviconDataUrl = `data:image/svg+xml,${encodeURIComponent(svg)}`;
