import ArgumentParser
import NewsletterCore

extension NewsletterCommand.DKIM {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the DNS TXT record of each key in the configuration's dkim section, one zone-file line each.")

        @OptionGroup var configOption: ConfigOption

        func run() throws {
            let configuration = try configOption.load()
            let records: [DKIMRecord]
            do {
                records = try DKIMKeygen.records(configuration)
            } catch {
                throw Terminal.fail(error)
            }
            for record in records { Terminal.output(record.zoneLine) }
        }
    }
}
