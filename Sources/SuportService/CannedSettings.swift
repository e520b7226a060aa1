import Foundation
import Tickets

/// Reads the canned answers' folder (`canned` in `[suport]`, `canned/` beside the
/// configuration by default): `<language>/<name>.mustache` serves every queue,
/// `<queue>/<language>/<name>.mustache` one queue (and wins there over the shared one of
/// the same name). No folder, no canned answers.
enum CannedSettings {
    static func load(folder: String, queues: [Queue], fail: (String, String) -> ConfigError) throws(ConfigError) -> CannedAnswers {
        let files = FileManager.default
        guard let top = try? files.contentsOfDirectory(atPath: folder) else { return CannedAnswers() }
        var sources: [CannedAnswers.Key: String] = [:]
        func read(_ dir: String, queue: String?, language: Language) throws(ConfigError) {
            for file in ((try? files.contentsOfDirectory(atPath: dir)) ?? []).sorted() where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                guard CannedAnswers.isValidName(name) else {
                    throw fail("suport.canned", "\(dir)/\(file): a canned answer's name is lowercase letters, digits, - and _")
                }
                guard let data = files.contents(atPath: "\(dir)/\(file)") else { throw fail("suport.canned", "\(dir)/\(file) cannot be read") }
                sources[CannedAnswers.Key(queue: queue, language: language, name: name)] = String(decoding: data, as: UTF8.self)
            }
        }
        for entry in top.sorted() where !entry.hasPrefix(".") {
            if let language = Language(rawValue: entry) {
                try read("\(folder)/\(entry)", queue: nil, language: language)
            } else if queues.contains(where: { $0.name == entry }) {
                for code in ((try? files.contentsOfDirectory(atPath: "\(folder)/\(entry)")) ?? []).sorted() where !code.hasPrefix(".") {
                    guard let language = Language(rawValue: code) else {
                        throw fail("suport.canned", "\(folder)/\(entry)/\(code) is not a language folder (ca, es or en)")
                    }
                    try read("\(folder)/\(entry)/\(code)", queue: entry, language: language)
                }
            } else {
                throw fail("suport.canned", "\(folder)/\(entry) names neither a language (ca, es, en) nor a queue")
            }
        }
        do { return try CannedAnswers(sources: sources) } catch { throw fail("suport.canned", error.description) }
    }
}
