using MessagePack;

namespace Wool.Serialization;

/// <summary>Wool's serializer options, restricted to the types of a <see cref="TypeAllowList"/> when deserializing.</summary>
internal sealed class AllowListOptions : MessagePackSerializerOptions
{
    private readonly TypeAllowList _allowed;

    public AllowListOptions(MessagePackSerializerOptions copyFrom, TypeAllowList allowed)
        : base(copyFrom)
    {
        _allowed = allowed;
    }

    protected override MessagePackSerializerOptions Clone() => new AllowListOptions(this, _allowed);

    protected override void ThrowIfDeserializingTypeIsDisallowedCore(Type type)
    {
        base.ThrowIfDeserializingTypeIsDisallowedCore(type);
        if (!_allowed.Allows(type))
        {
            throw new TypeAccessException(
                $"the type '{type.FullName}' (assembly {type.Assembly.GetName().Name}) is not on this worker's type allow-list. " +
                $"Start the worker with --allow-type {type.FullName}, --allow-type {type.Namespace}.* or --allow-type assembly:{type.Assembly.GetName().Name} if the caller may send it");
        }
    }
}
