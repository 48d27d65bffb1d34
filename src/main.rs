use std::process::ExitCode;

fn main() -> ExitCode {
    aepipe::cli::main()
}
