// Patrimoine terrain — a signature pad on a <canvas>: finger, stylus or mouse (pointer events).
"use strict";
(() => {
  const T = (window.Terrain = window.Terrain || {});

  T.signaturePad = function signaturePad(canvas, onChange) {
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let strokes = 0;
    let last = null;

    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 3;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      strokes = 0;
      if (onChange) onChange(false);
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.5, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      strokes += 1;
      if (onChange) onChange(true);
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    reset();
    return {
      clear: reset,
      isEmpty: () => strokes === 0,
      toDataURL: () => canvas.toDataURL("image/png"),
    };
  };
})();
