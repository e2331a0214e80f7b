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

// Keys: "/" goes to the question box (Escape leaves it); in the results, "j" and "k" (or
// ArrowDown/ArrowUp once a source has the focus) move to the next and previous source, "o"
// or Enter opens or closes its whole release, and "c" copies its citation.
(() => {
  const visible = (el) => el && el.offsetParent !== null;
  const typing = (el) =>
    el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const sources = () => [...document.querySelectorAll('#results article.pr-hit')].filter(visible);
  const current = () => {
    const active = document.activeElement;
    return active && active.matches && active.matches('#results article.pr-hit') ? active : null;
  };
  const go = (step) => {
    const all = sources();
    if (!all.length) return false;
    const at = all.indexOf(current());
    const next = all[at < 0 ? (step > 0 ? 0 : all.length - 1)
      : Math.min(all.length - 1, Math.max(0, at + step))];
    next.focus({preventScroll: true});
    next.scrollIntoView({block: 'nearest'});
    return true;
  };
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (typing(target)) {
      if (event.key === 'Escape' && target.closest && target.closest('#question')) target.blur();
      return;
    }
    const source = current();
    let done = false;
    if (event.key === '/') {
      const box = document.querySelector('#question textarea, #question input');
      if (visible(box)) { box.focus(); done = true; }
    } else if (event.key === 'j' || (source && event.key === 'ArrowDown')) {
      done = go(1);
    } else if (event.key === 'k' || (source && event.key === 'ArrowUp')) {
      done = go(-1);
    } else if (source && (event.key === 'o' || event.key === 'Enter')) {
      const release = source.querySelector('details.pr-release');
      if (release) { release.open = !release.open; done = true; }
    } else if (source && event.key === 'c') {
      const copy = source.querySelector('button.pr-copy');
      if (copy) { copy.click(); done = true; }
    }
    if (done) event.preventDefault();
  });
})();
