// Mixed-script identifiers, strings and comments (written for Augur's tokenizer tests).
let grüße = "Grüße aus Köln — naïve café, déjà vu, façade, Ærøskøbing"
let привет = "Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю."
let 变量 = "你好，世界！我能吞下玻璃而不伤身体。" // 中文注释
let 変数 = "こんにちは世界 カタカナ ひらがな 漢字"
let 변수 = "안녕하세요 세계 — 다람쥐 헌 쳇바퀴에 타고파"
let שלום = "שלום עולם"; let مرحبا = "مرحبا بالعالم" // RTL
let ελληνικά = "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία"
let हिन्दी = "नमस्ते दुनिया"; let ไทย = "สวัสดีชาวโลก"
let emoji = "🚀🚀🚀 👩‍💻 👨‍👩‍👧‍👦 🇩🇪🇯🇵 ✅❌ 🤖"
let combining = "é ä ñ Z̴͑͢a̲͒l͓g̵o"
let numbers = [1, 22, 333, 4444, 55555, 666666, 1234567890123, ١٢٣, ४५६, ⅣⅫ, ½¾, ²³]
let money = "$1,234.56 €99 ¥1000 £7 ₹50 ₿0.001"
let math = "∀x∈ℝ: x² ≥ 0 ∧ ∑ᵢ aᵢ ≤ ∞ ≠ ≈ ⊕ ⊗ → ⇒ ⟨ψ|φ⟩"
	let tabs	=	"tab	separated"
let spaces = "a b c　d​e f"
// Contractions: I'm, you're, he's, we've, they'll, she'd, DON'T, Isn'T, 'tis, rock'n'roll, o'clock
let quotes = ["'single'", "\"double\"", "`back`", "«guillemets»", "„low“", "‘curly’"]
    

        trailing spaces and a blank line above   
let url = "https://example.com/päth?q=ünïcode&x=1#frag"
let mixedNewlines = "unix\n" + "dos\r\n" + "mac\r"



/* box drawing ┌──┬──┐ │  │  │ └──┴──┘ ░▒▓█ */
let lastLine = "no newline at end ✓"