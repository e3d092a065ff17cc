import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand.DKIM {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new DKIM private key (mode 0600, never over an existing file) and print its DNS TXT record.")

        enum KeyType: String, ExpressibleByArgument, CaseIterable {
            case rsa, ed25519
        }

        @Option(help: ArgumentHelp("The selector: the record is published at <selector>._domainkey.<domain>.", valueName: "name"))
        var selector: String

        @Option(name: .customLong("type"), help: ArgumentHelp("The key type: rsa (rsa-sha256) or ed25519 (ed25519-sha256, RFC 8463).", valueName: "type"))
        var type: KeyType = .rsa

        @Option(help: ArgumentHelp("RSA key size in bits, 2048 to 4096.", valueName: "n"))
        var bits: Int?

        @Option(help: ArgumentHelp("Where to write the private key (default: dkim-<selector>.pem).", valueName: "file"))
        var out: String?

        @Option(help: ArgumentHelp("The signing domain of the record (default: dkim.domain of the configuration, else its From domain).", valueName: "domain"))
        var domain: String?

        @OptionGroup var configOption: ConfigOption

        func validate() throws {
            guard DKIMSettings.isSelector(selector) else {
                throw ValidationError("--selector '\(selector)' is not a selector: letters, digits and hyphens, in dot-separated labels")
            }
            if let bits {
                guard type == .rsa else { throw ValidationError("--bits is for RSA keys; an Ed25519 key is always 256 bits") }
                guard DKIMKeygen.rsaBits.contains(bits) else {
                    throw ValidationError("--bits \(bits): use \(DKIMKeygen.rsaBits.lowerBound) to \(DKIMKeygen.rsaBits.upperBound) (receivers refuse smaller RSA keys)")
                }
            }
            // A bad --domain is a usage error (64), with this command's usage line.
            if let domain, (try? EmailAddress("dkim@" + domain)) == nil {
                throw ValidationError("--domain '\(domain)' is not a domain name such as example.org")
            }
        }

        func run() throws {
            let signingDomain: String
            if let domain {
                do {
                    signingDomain = try EmailAddress("dkim@" + domain).domain
                } catch {
                    throw ValidationError("--domain '\(domain)' is not a domain name such as example.org")
                }
            } else {
                let configuration = try configOption.load()
                signingDomain = configuration.dkim?.domain ?? configuration.newsletter.from.address.domain
            }
            let file = out ?? "dkim-\(selector).pem"
            let keygen = DKIMKeygen(
                selector: selector, domain: signingDomain, algorithm: type == .rsa ? .rsaSHA256 : .ed25519SHA256, bits: bits ?? 2048, file: file)
            let made: (key: DKIMKey, record: DKIMRecord)
            do {
                made = try keygen.run()
            } catch {
                throw Terminal.fail(error)
            }
            let kind = made.key.algorithm == .rsaSHA256 ? "RSA \(made.key.bits)-bit" : "Ed25519"
            Terminal.output("Wrote \(file): \(kind) private key, mode 0600. Publish this DNS TXT record:")
            Terminal.output(made.record.zoneLine)
            Terminal.output("Then add { \"selector\": \"\(selector)\", \"privateKeyFile\": \"\(file)\" } to dkim.signatures (domain \"\(signingDomain)\").")
        }
    }
}
