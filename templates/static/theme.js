// Runs before the page paints: apply the reader's saved colour theme (light, dark, or none = follow the system),
// and mark the page as scripted, so that what site.js shows has its place from the first paint (no layout shift).
document.documentElement.classList.add("js");
try {
  const theme = localStorage.getItem("statusdocs-theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch (e) { /* storage may be disabled; the system preference applies */ }
