// The live dashboard served at /ui/: static HTML, CSS and JavaScript
// (gateway/ui/assets/) compiled into the binary by embed_assets, so the
// page needs no CDN, no file on disk and nothing downloaded at run time.
//
// Thread-safety: immutable; UiAssets() may be called from any thread.
#ifndef GATEWAY_UI_UI_ASSETS_H_
#define GATEWAY_UI_UI_ASSETS_H_

#include <vector>

#include "gateway/http/static_asset.h"

namespace sessions::gateway {

// The page ("/ui/"), its script and its style sheet.
const std::vector<StaticAsset>& UiAssets();

}  // namespace sessions::gateway

#endif  // GATEWAY_UI_UI_ASSETS_H_
