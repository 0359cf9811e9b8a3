namespace Vhpc.Posix;

/// <summary>The file types of stat's mode (S_IFMT), which .NET does not report for FIFOs and devices.</summary>
public enum FileKind
{
    /// <summary>A type this enum does not name.</summary>
    Other,
    RegularFile,
    Directory,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    SymbolicLink,
}
