"""The system test's model zoo (SPEC §7): which fixture models make each zoo entry, which hub
publishes it, and how its outputs are judged.

The models themselves are built by the fixture factory (fixtures/make_fixtures.py): the default
set holds their tiny configurations (`--quick`), `--real` their real sizes. A zoo entry has one
component per Core model it registers: `single` for a one-file model, or one per role of a
multi-file model (T5's encoder and decoder, CLIP's text and vision towers), each the fixture
named beside it.
"""

import dataclasses

# The opset the zoo is exported at (the fixture factory names models <architecture>_opset<N>).
OPSET = 17


@dataclasses.dataclass(frozen=True)
class Judgement:
    """How one output is judged beyond names, shapes, dtypes and values against torch."""

    output: str
    kind: str  # "top5": a classifier's logits [batch, classes]; "cosine": embeddings [batch, dim]


@dataclasses.dataclass(frozen=True)
class Component:
    role: str  # "single", or the execution-file role of a multi-file model
    architecture: str  # the fixture factory's architecture (fixture <architecture>_opset17)
    judgements: tuple = ()
    # (input, role, output) triples: in this fixture's data sets that input is the other role's
    # output on its own data sets (the fixture factory builds them so), so the served models can
    # be chained as an application would: the served output fed in place of torch's.
    feeds: tuple = ()

    @property
    def fixture(self):
        return f"{self.architecture}_opset{OPSET}"


@dataclasses.dataclass(frozen=True)
class ZooModel:
    name: str  # the zoo name; also the hub repository's name
    architecture: str  # what a reader knows it as
    task: str  # classification | embedding | features | generation | seq2seq | multimodal
    hub: str  # hf | pytorch | modelscope | kaggle | tfhub | registry
    components: tuple

    @property
    def roles(self):
        return [component.role for component in self.components]


def classifier(name, label, hub, architecture=None):
    return ZooModel(name, label, "classification", hub,
                    (Component("single", architecture or name, (Judgement("logits", "top5"),)),))


def text_model(name, label, hub, task="features", judgements=(), architecture=None):
    return ZooModel(name, label, task, hub,
                    (Component("single", architecture or name, judgements),))


ZOO = (
    text_model("gpt2", "GPT-2", "hf", task="generation"),
    text_model("bert", "BERT-base", "hf"),
    text_model("roberta", "RoBERTa-base", "modelscope"),
    ZooModel("t5_small", "T5-small", "seq2seq", "hf",
             (Component("encoder", "t5_encoder"),
              Component("decoder", "t5_decoder",
                        feeds=(("encoder_hidden_states", "encoder", "last_hidden_state"),)))),
    classifier("resnet50", "ResNet-50", "hf"),
    classifier("vit_b_16", "ViT-B/16", "hf"),
    classifier("mobilenet_v2", "MobileNetV2", "pytorch"),
    text_model("distilbert", "DistilBERT", "hf"),
    text_model("albert", "ALBERT", "hf"),
    text_model("minilm", "MiniLM-L6 sentence embeddings", "registry", task="embedding",
               judgements=(Judgement("sentence_embedding", "cosine"),)),
    classifier("convnext_tiny", "ConvNeXt-tiny", "kaggle"),
    classifier("deit_small", "DeiT-small", "tfhub"),
    classifier("efficientnet_b0", "EfficientNet-B0", "hf"),
    ZooModel("clip", "CLIP ViT-B/32", "multimodal", "hf",
             (Component("text_encoder", "clip_text", (Judgement("text_embeds", "cosine"),)),
              Component("vision_encoder", "clip_vision",
                        (Judgement("image_embeds", "cosine"),)))),
)

# Where a multi-file model's files sit in its hub repository, by role (the names the Hugging Face
# ONNX exports use, which Axon maps back to roles).
ROLE_FILES = {"encoder": "onnx/encoder_model.onnx", "decoder": "onnx/decoder_model.onnx",
              "text_encoder": "onnx/text_model.onnx", "vision_encoder": "onnx/vision_model.onnx"}


def fixtures_needed(models):
    return sorted({component.fixture for model in models for component in model.components})


def select(names):
    """The zoo entries named (all when NAMES is empty); ValueError naming an unknown one."""
    if not names:
        return list(ZOO)
    known = {model.name: model for model in ZOO}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown zoo models {unknown}; the zoo has {', '.join(known)}")
    return [known[name] for name in names]
