/* Photos on the phone: taken with the camera or chosen from the gallery, shrunk before
   upload (longest side FieldPhotos.MAX_SIDE pixels, JPEG) so that a report goes through a
   slow connection; shown as thumbnails that can be removed. */
(function () {
  "use strict";
  const MAX_SIDE = 1600;
  const QUALITY = 0.8;

  /* File -> {name, blob}; rejects with a Chinese reason when the file is not an image. */
  async function shrink(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
    } catch (e) {
      throw new Error("无法读取“" + file.name + "”，它不是照片。请重新拍摄或选择。");
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
    return {name: name, blob: blob, originalSize: file.size};
  }

  /* A picker: camera and gallery buttons over hidden inputs, thumbnails, a list of photos. */
  function picker(root, onMessage) {
    const photos = [];
    const thumbs = root.querySelector(".thumbs");
    const render = () => {
      thumbs.replaceChildren(...photos.map((p, i) => {
        const url = URL.createObjectURL(p.blob);
        return Field.el("figure", {class: "thumb"},
          Field.el("img", {src: url, alt: p.name, onload: () => URL.revokeObjectURL(url)}),
          Field.el("button", {type: "button", class: "remove", "aria-label": "删除照片",
            onclick: () => { photos.splice(i, 1); render(); }}, "×"));
      }));
      const count = root.querySelector(".photo-count");
      if (count) count.textContent = photos.length ? photos.length + " 张" : "";
    };
    root.querySelectorAll("input[type=file]").forEach((input) => {
      input.addEventListener("change", async () => {
        for (const file of Array.from(input.files)) {
          try {
            photos.push(await shrink(file));
          } catch (e) {
            onMessage(e.message);
          }
        }
        input.value = "";
        render();
      });
    });
    root.querySelectorAll("[data-pick]").forEach((button) => {
      button.addEventListener("click", () => root.querySelector("input." + button.dataset.pick).click());
    });
    return {photos: photos, clear: () => { photos.length = 0; render(); }};
  }

  window.FieldPhotos = {shrink, picker, MAX_SIDE};
})();
