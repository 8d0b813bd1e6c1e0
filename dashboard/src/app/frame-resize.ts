/**
 * Inside a frame, tell the parent page how tall the portal is, once rendered and whenever it
 * changes, so the host can size its <iframe> without a scroll bar: `{type: "herald:resize",
 * height}`. The target origin is `*`: the height is no secret, and the host's origin is not
 * known to the page (the referrer policy hides it); which hosts may frame it is the CSP's job.
 */
export function startFrameResize(): void {
  if (window.parent === window) return;
  // Framed, the page is as tall as its content (not the viewport), or it could never shrink.
  document.documentElement.classList.add('framed');
  let last = -1;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'herald:resize', height }, '*');
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}
