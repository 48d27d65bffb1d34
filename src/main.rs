use std::process::ExitCode;

fn main() -> ExitCode {
    aepipe::main()
}
