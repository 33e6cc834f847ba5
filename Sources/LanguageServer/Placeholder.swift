public enum LSPlaceholder {}
