// nav: the bar on top of every page, with the language switch.
import { el, city } from './api.js';
import { lang, setLang, t, translate, named } from './i18n.js';

// mountNav fills #nav and calls rerender when the language changes.
export function mountNav(current, rerender) {
  const nav = document.getElementById('nav');
  const title = el('b', { class: 'brand' }, 'cityops');
  const links = ['map', 'inbox', 'planner'].map((p) =>
    el('a', { href: p === 'map' ? '/' : '/' + p, class: p === current ? 'current' : null, dataset: { i18n: p } }),
  );
  const button = el('button', { type: 'button', id: 'lang' });
  const label = () => (button.textContent = lang === 'zh' ? 'EN' : '中文');
  button.addEventListener('click', () => {
    setLang(lang === 'zh' ? 'en' : 'zh', () => {
      label();
      city().then((c) => (title.textContent = named({ name: c.name, name_en: c.name_en }) || 'cityops'));
      rerender?.();
    });
  });
  label();
  nav.replaceChildren(title, ...links, el('span', { class: 'spacer' }), el('span', { id: 'nav-extra' }), button);
  translate(nav);
  city()
    .then((c) => (title.textContent = named({ name: c.name, name_en: c.name_en }) || 'cityops'))
    .catch(() => {});
  return t;
}
