// Gradio's login page, made Pressroom's (ui.login passes this file in the page's <head>;
// it does nothing on the app's own page): the product's name, the username kept after a
// wrong password, and the server's reason when logins are throttled.
(() => {
  const form = () => {
    const password = document.querySelector('gradio-app input[type=password]');
    const heading = document.querySelector('gradio-app h2');
    return password && heading ? {password, heading} : null;
  };
  const usernameInput = (password) => {
    const inputs = [...document.querySelectorAll('gradio-app input')];
    return inputs[inputs.indexOf(password) - 1] || null;
  };
  const setValue = (input, value) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const note = (text) => {
    const f = form();
    if (!f) return;
    let box = document.getElementById('pr-login-note');
    if (!box) {
      box = document.createElement('p');
      box.id = 'pr-login-note';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'color: #8a1f1f; margin: 8px 0 0 0;';
      f.heading.insertAdjacentElement('afterend', box);
    }
    box.textContent = text;
  };
  const brand = () => {
    const f = form();
    if (!f) return;
    if (document.title !== 'Pressroom · Sign in') document.title = 'Pressroom · Sign in';
    if (f.heading.textContent.trim() === 'Login') f.heading.textContent = 'Sign in to Pressroom';
  };
  let typed = '';
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (resource, options) => {
    const url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
    const login = /\/login\/?$/.test(url.split('?')[0]) && options && options.method === 'POST';
    if (login) {
      const f = form();
      const user = f && usernameInput(f.password);
      typed = user ? user.value : '';
    }
    const response = await fetch0(resource, options);
    if (login && !response.ok) {
      let detail = ''; // Gradio itself says "Incorrect Credentials"; this says why else
      try {
        const body = await response.clone().json();
        if (response.status === 429 && body && body.detail) detail = body.detail;
      } catch (e) { /* not JSON: nothing more to say */ }
      // the form is drawn anew after a failure: give it back the username, then say why
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const f = form();
        const user = f && usernameInput(f.password);
        if (user && !user.value && typed) setValue(user, typed);
        if (f) f.password.focus();
        if (detail) note(detail);
      }));
    }
    return response;
  };
  brand();
  const watch = new MutationObserver(() => {
    if (document.getElementById('question')) watch.disconnect(); // the app itself: signed in
    else brand();
  });
  watch.observe(document.documentElement, {childList: true, subtree: true});
})();
