// The JSON API with the session cookie. Changes carry X-Requested-With, which the server
// requires of cookie-authenticated requests (another site cannot add it).
export class ApiError extends Error {
  constructor(status, code, message, detail = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.detail = detail; // the whole error object: price_changed carries `pricing`
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-Requested-With"] = "helpcall";
  // A Blob (a chosen file) goes as it is, with its own type; anything else as JSON.
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? body.type || "application/octet-stream" : "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || raw ? body : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, "network", String(error));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || "error", error.message || response.statusText, error);
  }
  return data;
}

// A file as the raw body of a POST, with upload progress (fetch cannot report it):
// onProgress gets the share sent so far, from 0 to 1. Resolves to the JSON answer.
export function uploadFile(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "helpcall");
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data);
        return;
      }
      const error = new ApiError(xhr.status, data?.error?.code || "error", data?.error?.message || xhr.statusText);
      error.limit = data?.error?.limit;
      error.retryAfter = Number(xhr.getResponseHeader("Retry-After")) || null;
      reject(error);
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "network error")));
    xhr.send(file);
  });
}
