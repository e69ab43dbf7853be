import Hummingbird
import NIOCore

/// A file of the Explorer page. The files live in `Explorer/Assets/` and are compiled into the
/// binary by `infra/scripts/embed-explorer.sh`, so `tracker query` serves the page from anywhere,
/// offline, with nothing mounted.
struct ExplorerAsset: Sendable {
    let name: String
    let text: String

    /// Where the page is served: the HTML at `/`, everything it loads under `/explorer/`.
    var path: String { name == "index.html" ? "/" : "/explorer/\(name)" }

    var contentType: String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    /// A strong validator that changes with the content (FNV-1a, 64 bits): cheap to compute once,
    /// and a browser revalidating an unchanged file gets a 304 with no body.
    var etag: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))\""
    }
}
