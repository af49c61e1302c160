// Patrimoine terrain — photos are resized and compressed on the phone (JPEG, a few hundred KB at
// most) before they are queued: a 4 MB camera picture leaves the basement as ~250 KB.
"use strict";
(() => {
  const T = (window.Terrain = window.Terrain || {});
  const MAX_SIDE = 1600;
  const MAX_BYTES = 350 * 1024;

  function toBlob(canvas, quality) {
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }

  async function decode(file) {
    if (window.createImageBitmap) {
      try {
        return await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch (error) {
        // Some browsers refuse the options object: fall back to an <img>.
      }
    }
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  T.photo = {
    MAX_BYTES,
    // Returns a JPEG Blob no larger than MAX_BYTES (smaller side or lower quality when needed).
    async compress(file) {
      const image = await decode(file);
      const width = image.width;
      const height = image.height;
      let scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      let quality = 0.72;
      const canvas = document.createElement("canvas");
      for (let attempt = 0; attempt < 8; attempt += 1) {
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
        const blob = await toBlob(canvas, quality);
        if (blob && blob.size <= MAX_BYTES) return blob;
        if (quality > 0.5) quality -= 0.1;
        else scale *= 0.75;
      }
      throw new Error("photo too large");
    },
  };
})();
