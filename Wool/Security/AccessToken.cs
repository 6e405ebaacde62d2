using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Wool.Security;

/// <summary>
/// A secret that authenticates callers to workers that serve without TLS: 32 random bytes, as
/// base64url text, sent in a request header on every RPC and compared in constant time. A pool
/// makes one for the workers it spawns and hands it to them over their stdin (never on a command
/// line); durable local workers and their pools share their discovery namespace's, kept in a
/// 0600 file in a private folder. Immutable; never printed.
/// </summary>
internal sealed class AccessToken
{
    /// <summary>The header that carries the caller's access token on every RPC.</summary>
    public const string Header = "wool-access-token";

    /// <summary>The header that carries the owner token: the pool that spawned a worker, the only caller whose peer lists it takes.</summary>
    public const string OwnerHeader = "wool-owner-token";

    private const int Bytes = 32;
    private readonly byte[] _text;

    private AccessToken(string text)
    {
        Text = text;
        _text = Encoding.ASCII.GetBytes(text);
    }

    /// <summary>The token as it travels.</summary>
    public string Text { get; }

    public static AccessToken Generate() => new(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Bytes)));

    /// <exception cref="FormatException">The text is not a token Wool made.</exception>
    public static AccessToken Parse(string text)
    {
        text = text.Trim();
        if (!Base64Url.IsValid(text, out int length) || length != Bytes)
        {
            throw new FormatException("This is not a Wool access token (32 bytes, base64url).");
        }

        return new AccessToken(text);
    }

    /// <summary>Reads the token kept in <paramref name="file"/>, making one (mode 0600) when the file does not exist.</summary>
    /// <exception cref="UnsafeLocationException">The file is a link, another user's, readable by others, or not a token.</exception>
    public static AccessToken ReadOrCreate(string file)
    {
        file = Path.GetFullPath(file);
        try
        {
            return Parse(PrivateFolder.ReadOrCreateSecret(Path.GetDirectoryName(file)!, Path.GetFileName(file), () => Generate().Text));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new UnsafeLocationException($"The access token file '{file}' cannot be used: {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="presented"/> is this token, in time that does not depend on where they differ.</summary>
    public bool Matches(string? presented)
        => presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), _text);

    /// <inheritdoc />
    public override string ToString() => "access token";
}
