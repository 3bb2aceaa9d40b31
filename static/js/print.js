// Buttons marked data-print open the browser's print dialog (one-time password cards).
for (const b of document.querySelectorAll("[data-print]")) b.addEventListener("click", () => window.print());
