// Page-wide behaviour of the Pressroom UI, run once when the page loads (ui.app passes
// this file to the header's js_on_load). Gradio owns the widgets; this only drives them.

// The library table sorts by a column when its header is clicked (ascending first, then
// descending), through the table's own sort menu, so Gradio's sort state and its arrow in
// the header stay what the menu would have made them. One column at a time: a sort by
// another column is cleared first (the menu would add the new one after it).
(() => {
  const visible = (el) => el && el.offsetParent !== null;
  const until = (find, frames = 60) =>
    new Promise((resolve) => {
      const look = (left) => {
        const found = find();
        if (found || left <= 0) resolve(found || null);
        else requestAnimationFrame(() => look(left - 1));
      };
      look(frames);
    });
  const header = (id) =>
    [...document.querySelectorAll(`#library th[data-testid="${id}"]`)].find(visible);
  const sortOf = (th) => {
    const arrow = th && th.querySelector('.sort-indicator');
    return arrow ? arrow.getAttribute('aria-label') : null;
  };
  // choose ``label`` in the menu of the column ``id`` (the header is selected first: the
  // menu opens only once the table has taken the header's selection)
  const choose = async (id, label) => {
    const th = header(id);
    if (!th.classList.contains('focus')) th.querySelector('.header-content').click();
    const button = await until(() => {
      const h = header(id);
      return h && h.classList.contains('focus') && h.querySelector('button.cell-menu-button');
    });
    if (!button) return false;
    button.click();
    const item = await until(() =>
      [...document.querySelectorAll('[role=menu] [role=menuitem]')]
        .find((el) => el.textContent.trim() === label));
    if (!item) return false;
    item.click();
    return true;
  };
  let busy = false;
  document.addEventListener('click', async (event) => {
    const target = event.target;
    if (busy || !event.isTrusted || !target.closest) return;
    const th = target.closest('#library th[role=columnheader]');
    if (!th || target.closest('button, [role=menu], input, textarea')) return;
    busy = true;
    try {
      // let the table take this click first (it selects or deselects the header)
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const id = th.dataset.testid;
      const others = [...document.querySelectorAll('#library th[role=columnheader]')]
        .filter((h) => visible(h) && h.dataset.testid !== id && sortOf(h));
      for (const other of others) {
        const otherId = other.dataset.testid;
        if (await choose(otherId, 'Clear sort')) await until(() => !sortOf(header(otherId)));
      }
      const label = sortOf(header(id)) === 'Sorted ascending' ? 'Sort descending' : 'Sort ascending';
      await choose(id, label);
    } finally {
      busy = false;
    }
  }, true); // capture: the table stops the click from bubbling
})();
