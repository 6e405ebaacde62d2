using MessagePack;

namespace Wool.Serialization.Types;

/// <summary>Wool's serializer options, restricted to the types of a <see cref="TypeAllowList"/> when deserializing.</summary>
internal sealed class AllowListOptions : MessagePackSerializerOptions
{
    private readonly TypeAllowList _allowed;

    public AllowListOptions(MessagePackSerializerOptions copyFrom, TypeAllowList allowed)
        : base(copyFrom)
    {
        _allowed = allowed;
    }

    /// <summary>The types these options rebuild.</summary>
    public TypeAllowList Allowed => _allowed;

    /// <summary>Loads a type named by a message, once its name is within <see cref="TypeNameLimit"/>.</summary>
    public override Type? LoadType(string typeName) => base.LoadType(TypeNameLimit.Checked(typeName));

    protected override MessagePackSerializerOptions Clone() => new AllowListOptions(this, _allowed);

    protected override void ThrowIfDeserializingTypeIsDisallowedCore(Type type)
    {
        base.ThrowIfDeserializingTypeIsDisallowedCore(type);
        if (!_allowed.Allows(type))
        {
            throw new TypeAccessException(TypeAllowList.Refusal(type));
        }
    }
}
