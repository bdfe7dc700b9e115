#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Estimates how many tokens the seed's Tokyo prompt becomes through each model's chat template.

No tokenizer files ship with worthit, so this counts pre-tokens the way byte-level BPE tokenizers
with 128k-200k vocabularies split text before merging (words with their leading space, runs of
punctuation, digits in groups of up to three, or one by one for Mistral's Tekken), counts each
special token as one, and treats every pre-token as one token: common English words are single
tokens in these vocabularies, rarer ones split further, so the true count is the estimate or a few
percent more. The results are written by hand into data/prompts/seed-tokyo.toml.
Usage: python3 scripts/seed_prompt_tokens.py
"""
import re

PROMPT = ("Design a weekend trip itinerary for two people visiting Tokyo for the first time. "
          "Include where to stay, what to see each day, where to eat, and estimated budget in yen.")

# ollama's ministral-3 template renders Mistral's default system prompt when the request has none
# (ollama `ollama show ministral-3:8b --template`; the same text is in the model's HF chat template).
MINISTRAL_SYSTEM = (
    "You are Ministral-3-8B-Instruct-2512, a Large Language Model (LLM) created by Mistral AI, a French "
    "startup headquartered in Paris.\nYou power an AI assistant called Le Chat.\nYour knowledge base was "
    "last updated on 2023-10-01.\nThe current date is 2026-02-15.\n\nWhen you're not sure about some "
    "information or when the user's request requires up-to-date or specific data, you must use the "
    "available tools to fetch the information. Do not hesitate to use tools whenever they can provide a "
    "more accurate or complete response. If no relevant tools are available, then clearly state that you "
    "don't have the information and avoid making up anything.\nIf the user's question is not clear, "
    "ambiguous, or does not provide enough context for you to accurately answer the question, you do not "
    "try to answer it right away and you rather ask the user to clarify their request (e.g. \"What are "
    "some good restaurants around me?\" => \"Where are you?\" or \"When is the next flight to Tokyo\" => "
    "\"Where do you travel from?\").\nYou are always very attentive to dates, in particular you try to "
    "resolve dates (e.g. \"yesterday\" is 2026-02-14) and when asked about information at specific "
    "dates, you discard information that is at another date.\nYou follow these instructions in all "
    "languages, and always respond to the user in the language they use or request.\nNext sections "
    "describe the capabilities that you have.\n\n# WEB BROWSING INSTRUCTIONS\n\nYou cannot perform any "
    "web search or access internet to open URLs, links etc. If it seems like the user is expecting you "
    "to do so, you clarify the situation and ask the user to copy paste the text directly in the chat.\n\n"
    "# MULTI-MODAL INSTRUCTIONS\n\nYou have the ability to read images, but you cannot generate images. "
    "You also cannot transcribe audio files or videos.\nYou cannot read nor transcribe audio files or "
    "videos.\n\n# TOOL CALLING INSTRUCTIONS\n\nYou may have access to tools that you can use to fetch "
    "information or perform actions. You must use these tools in the following situations:\n\n1. When "
    "the request requires up-to-date information.\n2. When the request requires specific data that you "
    "do not have in your knowledge base.\n3. When the request involves actions that you cannot perform "
    "without tools.\n\nAlways prioritize using tools to provide the most accurate and helpful response. "
    "If tools are not available, inform the user that you cannot perform the requested action at the "
    "moment.")

# gpt-oss's harmony format: the system message its template always renders (ollama and the GGUF's
# own jinja template in llama.cpp), then the user turn, then the assistant header.
GPT_OSS_SYSTEM = ("You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n"
                  "Current date: 2026-02-15\n\nReasoning: medium\n\n# Valid channels: analysis, "
                  "commentary, final. Channel must be included for every message.")

TEMPLATES = {
    # name: (list of (special tokens, text) pieces, digits one by one?)
    "ollama-ministral-3": ([("<s>", ""), ("[SYSTEM_PROMPT]", MINISTRAL_SYSTEM), ("[/SYSTEM_PROMPT]", ""),
                            ("[INST]", PROMPT), ("[/INST]", "")], True),
    "llama-3": ([("<|begin_of_text|>", ""), ("<|start_header_id|>", "user"), ("<|end_header_id|>", "\n\n" + PROMPT),
                 ("<|eot_id|>", ""), ("<|start_header_id|>", "assistant"), ("<|end_header_id|>", "\n\n")], False),
    "gpt-oss-harmony": ([("<|start|>", "system"), ("<|message|>", GPT_OSS_SYSTEM), ("<|end|>", ""),
                         ("<|start|>", "user"), ("<|message|>", PROMPT), ("<|end|>", ""),
                         ("<|start|>", "assistant")], False),
}


def pretokens(text, single_digits):
    digits = r"\d" if single_digits else r"\d{1,3}"
    pattern = rf" ?[A-Za-z]+(?:'[a-z]+)?|{digits}| ?[^\sA-Za-z\d]+|\s*\n+|\s+(?!\S)|\s+"
    return re.findall(pattern, text)


for name, (pieces, single) in TEMPLATES.items():
    special = len(pieces)
    body = sum(len(pretokens(text, single)) for _, text in pieces)
    user = len(pretokens(PROMPT, single))
    print(f"{name:22s} prompt {user:4d}  special {special:3d}  total {special + body:5d}")
